// Request and response schemas of the files API (TypeBox: validation, serialization, OpenAPI).
import Type from 'typebox';
import { CallerQuery } from '../../http/caller.js';

export const FileProperties = Type.Object(
  {
    name: Type.String({ description: 'Blob name; may contain "/"' }),
    size: Type.Integer({ minimum: 0 }),
    contentType: Type.String(),
    etag: Type.String(),
    lastModified: Type.String({ format: 'date-time' }),
  },
  { $id: 'FileProperties' },
);

export const UploadedFile = Type.Object({
  name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  contentType: Type.String(),
  etag: Type.String(),
  /** The blob's URL: the API's /api/files/… for the disk driver, the blob endpoint for Azure. */
  url: Type.String(),
});

export const FileNameParams = Type.Object({
  '*': Type.String({ description: 'The file name, within the caller’s own files (or a signed link’s blob)' }),
});

const Owner = Type.String({
  minLength: 1,
  maxLength: 200,
  description:
    'Admins only: whose files (the subject of their owner’s token); default the caller’s own. Anyone else naming another owner gets 403.',
});

/** Whose files a request acts on: the caller's own, or (admins) `owner`'s. */
export const OwnerQuery = Type.Object({ owner: Type.Optional(Owner), ...CallerQuery.properties });

/** A signed link's parameters (disk driver), absent on ordinary requests; else the owner. */
export const FileQuery = Type.Object({
  sv: Type.Optional(Type.String()),
  sc: Type.Optional(Type.String()),
  sp: Type.Optional(Type.String()),
  se: Type.Optional(Type.String()),
  rscd: Type.Optional(Type.String()),
  sig: Type.Optional(Type.String()),
  ...OwnerQuery.properties,
});

export const ListQuery = Type.Object({
  prefix: Type.Optional(Type.String({ maxLength: 1024 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 4096 })),
  ...OwnerQuery.properties,
});

export const FileList = Type.Object({
  items: Type.Array(Type.Ref('FileProperties')),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const SasBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'One file: answers one link' }),
    ),
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
        minItems: 1,
        maxItems: 100,
        description: 'Up to 100 files: answers one link per name, in order (give `name` or `names`)',
      }),
    ),
    permissions: Type.String({
      pattern: '^[rwcd]{1,4}$',
      description:
        'A subset of "rwcd"; a link without w or c is refused (404) for a file that does not exist',
    }),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 604_800 })),
    contentDisposition: Type.Optional(
      // Becomes a response header: printable ASCII only (CR/LF would break the link's answer);
      // RFC 6266's filename*=UTF-8''… carries other characters.
      Type.String({ maxLength: 256, pattern: '^[\\t\\x20-\\x7e]*$' }),
    ),
    owner: Type.Optional(Owner),
  },
  { additionalProperties: false },
);

const SasLinkProperties = {
  url: Type.String(),
  expiresOn: Type.String({ format: 'date-time' }),
  permissions: Type.String(),
};

export const SasLinkResponse = Type.Object(SasLinkProperties, {
  description: 'The link (for `name`), or one link per name (for `names`)',
});

export const SasLinksResponse = Type.Object({
  items: Type.Array(Type.Object({ name: Type.String(), ...SasLinkProperties })),
});

export const StorageHealth = Type.Object({
  status: Type.Enum(['healthy', 'degraded', 'unhealthy']),
  service: Type.Literal('azure_blob_storage'),
  region: Type.Optional(Type.String({ description: 'AZURE_REGION' })),
  driver: Type.String(),
  error: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** The multipart upload's fields, for the OpenAPI document (the route streams the parts itself). */
export const UploadForm = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        description:
          'The blob name (may contain "/"); default `{uuid}/{file name}`. Send it before the file.',
      }),
    ),
    file: Type.String({ format: 'binary', description: 'The file (streamed; at most MAX_UPLOAD_MB)' }),
  },
  { required: ['file'] },
);
