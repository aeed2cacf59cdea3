// The files API (seed 001): streaming multipart upload, ranged and conditional download, HEAD,
// DELETE, listing, links; bodies are streamed both ways, never buffered.
//
//   POST   /api/files              multipart: optional field `name` (before the file), field `file`
//   GET    /api/files?prefix=&limit=&cursor=
//   GET    /api/files/{name}       Range, If-None-Match; also serves signed links (?sig=…) of any container
//   HEAD   /api/files/{name}
//   PUT    /api/files/{name}       raw body; signed links with w (or c: create only)
//   DELETE /api/files/{name}       204, also when absent
//   POST   /api/files/sas          { name | names, permissions ⊆ "rwcd", expiresInSeconds?, contentDisposition? }
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, callerOf, quotaSubjectOf } from '../../http/caller.js';
import { refuseUnknownFields } from '../../http/multipart-fields.js';
import { problemResponses } from '../../http/problem.js';
import type { BlobRef } from '../../platform/blob/blob-store.js';
import {
  filesPath,
  type LinkPermission,
  type SignedLinkVerifier,
} from '../../platform/blob/signed-link-verifier.js';
import { errors, isAppError } from '../../platform/errors/app-error.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import {
  FileList,
  FileNameParams,
  ListQuery,
  SasBody,
  SasLinkResponse,
  SasLinksResponse,
  SignedLinkQuery,
  StorageHealth,
  UploadedFile,
  UploadForm,
} from './files-schemas.js';
import type { FilesService } from './files-service.js';
import { etagMatches, fileView, linkView, setFileHeaders, uploadedView } from './files-views.js';
import { parseRangeHeader } from './range-header.js';

const tags = ['files'];

export interface FilesRoutesDeps {
  service: FilesService;
  /** Checks the signed links this API serves (disk driver); Azure Storage checks its own. */
  verifyLink?: SignedLinkVerifier;
}

/** What a request may touch: the blob, and the link's content-disposition if it carried one. */
interface Admitted {
  ref: BlobRef;
  contentDisposition?: string;
}

/**
 * Admits a request carrying a valid signed link for `permission` (to whichever container the link
 * names: the API signs links to the recordings' blobs too), or else a signed-in caller, who
 * reaches the files container only.
 */
function admitter(app: App, deps: FilesRoutesDeps) {
  const [mustSignIn] = access(app, 'signed-in').preHandler;
  return async (
    request: FastifyRequest,
    reply: FastifyReply,
    link: { name: string; query: Record<string, string | undefined>; permission: LinkPermission },
  ): Promise<Admitted> => {
    if (link.query.sig === undefined) {
      await mustSignIn?.call(app, request, reply);
      return { ref: deps.service.ref(link.name) };
    }
    if (deps.verifyLink === undefined)
      throw errors.forbidden('Signed links are issued by Azure Storage for this driver.');
    const verdict = deps.verifyLink(link);
    if (!verdict.ok) throw errors.forbidden(`Signed link refused: ${verdict.reason}.`);
    return {
      ref: verdict.ref,
      ...(verdict.contentDisposition === undefined ? {} : { contentDisposition: verdict.contentDisposition }),
    };
  };
}

type Admit = ReturnType<typeof admitter>;

export function registerFilesRoutes(app: App, deps: FilesRoutesDeps): void {
  const admit = admitter(app, deps);
  registerUpload(app, deps.service);
  registerListAndLinks(app, deps.service);
  registerReads(app, deps.service, admit);
  registerDelete(app, deps.service, admit);
}

function multipartName(fields: Record<string, unknown>): string | undefined {
  const field = fields.name;
  if (field === undefined || Array.isArray(field)) return undefined;
  const { type, value } = field as { type?: unknown; value?: unknown };
  return type === 'field' && typeof value === 'string' && value !== '' ? value : undefined;
}

function registerUpload(app: App, service: FilesService): void {
  const signedIn = access(app, 'signed-in');
  app.post(
    '/api/files',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'Upload a file (multipart/form-data, streamed): optional field `name`, then field `file`',
        ...signedIn.schema,
        consumes: ['multipart/form-data'],
        multipart: UploadForm,
        response: { 201: UploadedFile, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the file as multipart/form-data.');
      const part = await request.file();
      if (part === undefined) throw errors.badRequest('The multipart body has no file part.');
      if (part.fieldname !== 'file') throw errors.badRequest('The file part must be named "file".');
      refuseUnknownFields(part.fields, { known: ['name'], file: 'file' });
      const name = multipartName(part.fields);
      const { properties, url } = await service.upload({
        body: part.file,
        ...(name === undefined ? {} : { name }),
        filename: part.filename,
        contentType: part.mimetype,
        truncated: () => part.file.truncated,
        quotaSubject: callerOf(request).quotaSubject,
      });
      reply.header('location', filesPath(properties.name));
      return reply.code(201).send(uploadedView(properties, url));
    },
  );
}

function registerListAndLinks(app: App, service: FilesService): void {
  const signedIn = access(app, 'signed-in');
  app.get(
    '/api/files',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'List files, by name prefix, a page at a time',
        ...signedIn.schema,
        querystring: ListQuery,
        response: { 200: FileList, ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const page = await service.list(request.query);
      return { items: page.items.map(fileView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/files/sas',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'Time-limited links to one file (`name`) or up to 100 (`names`) with the given permissions',
        ...signedIn.schema,
        body: SasBody,
        response: {
          200: Type.Union([SasLinkResponse, SasLinksResponse], { description: 'The link, or one per name' }),
          ...problemResponses(400, 401, 404, 503),
        },
      },
    },
    async (request) => {
      const { name, names, ...link } = request.body;
      if ((name === undefined) === (names === undefined))
        throw errors.badRequest('Give either `name` (one link) or `names` (up to 100 links).');
      if (name !== undefined) return linkView(await service.link(name, link));
      const links = await service.links(names ?? [], link);
      return { items: links.map((l) => ({ name: l.name, ...linkView(l) })) };
    },
  );
}

/** Range (206) or the whole file; a 416 says the size (`Content-Range: bytes *\/size`). */
async function download(service: FilesService, reply: FastifyReply, ref: BlobRef, range: string | undefined) {
  const parsed = parseRangeHeader(range);
  try {
    return await service.download(
      ref,
      parsed.kind === 'none'
        ? undefined
        : parsed.kind === 'suffix'
          ? { suffixLength: parsed.length }
          : parsed.range,
    );
  } catch (error) {
    if (isAppError(error) && error.status === 416) {
      const size = await service.head(ref).then(
        (p) => p.size,
        () => undefined,
      );
      if (size !== undefined) reply.header('content-range', `bytes */${size}`);
    }
    throw error;
  }
}

function registerReads(app: App, service: FilesService, admit: Admit): void {
  const link = access(app, 'signed-in-or-link').schema;
  app.head(
    '/api/files/*',
    {
      schema: {
        tags,
        summary: 'A file’s headers without its body (If-None-Match answers 304)',
        ...link,
        params: FileNameParams,
        querystring: SignedLinkQuery,
        response: {
          200: Type.Unknown({ description: 'The file’s headers, no body' }),
          304: Type.Unknown({ description: 'Not modified: the ETag matches If-None-Match (no body)' }),
          ...problemResponses(401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'r',
      });
      const properties = await service.head(admitted.ref);
      setFileHeaders(reply, properties, admitted.contentDisposition);
      if (etagMatches(request.headers['if-none-match'], properties.etag)) return reply.code(304).send();
      reply.header('content-length', properties.size);
      return reply.code(200).send();
    },
  );

  app.get(
    '/api/files/*',
    {
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: 'Download a file (streamed; Range and If-None-Match supported); also serves signed links',
        ...link,
        params: FileNameParams,
        querystring: SignedLinkQuery,
        produces: ['application/octet-stream'],
        response: {
          200: Type.Unknown({ description: 'The file' }),
          206: Type.Unknown({ description: 'The requested byte range' }),
          304: Type.Unknown({ description: 'Not modified: the ETag matches If-None-Match (no body)' }),
          ...problemResponses(401, 403, 404, 416, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'r',
      });
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined) {
        const properties = await service.head(admitted.ref);
        if (etagMatches(ifNoneMatch, properties.etag)) {
          setFileHeaders(reply, properties, admitted.contentDisposition);
          return reply.code(304).send();
        }
      }
      const file = await download(service, reply, admitted.ref, request.headers.range);
      setFileHeaders(reply, file.properties, admitted.contentDisposition);
      reply.header('content-length', file.contentLength);
      if (file.range !== undefined) {
        reply.header('content-range', `bytes ${file.range.start}-${file.range.end}/${file.properties.size}`);
        reply.code(206);
      }
      return reply.send(file.stream);
    },
  );
}

/** PUT takes any body as the raw request stream, never buffered or parsed, hence its own scope. */
export function registerRawPut(raw: App, deps: FilesRoutesDeps): void {
  const admit = admitter(raw, deps);
  const { service } = deps;
  raw.put(
    '/api/files/*',
    {
      schema: {
        tags,
        summary: 'Upload a file as the raw request body (streamed); also accepts signed write links',
        ...access(raw, 'signed-in-or-link').schema,
        params: FileNameParams,
        querystring: SignedLinkQuery,
        consumes: ['application/octet-stream'],
        response: { 201: UploadedFile, ...problemResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const name = request.params['*'];
      const body = request.body;
      if (!(body instanceof Readable))
        throw errors.unsupportedMediaType('Send the file as the raw request body.');
      const createOnly = request.query.sig !== undefined && !(request.query.sp ?? '').includes('w');
      const admitted = await admit(request, reply, {
        name,
        query: request.query,
        permission: createOnly ? 'c' : 'w',
      });
      if (createOnly && (await service.exists(admitted.ref)))
        throw errors.forbidden('This link may create the file, not overwrite it.');
      const contentType = request.headers['content-type'];
      const { properties, url } = await service.upload({
        body,
        name,
        container: admitted.ref.container,
        ...(contentType === undefined ? {} : { contentType }),
        quotaSubject: quotaSubjectOf(request),
      });
      return reply.code(201).send(uploadedView(properties, url));
    },
  );
}

function registerDelete(app: App, service: FilesService, admit: Admit): void {
  app.delete(
    '/api/files/*',
    {
      schema: {
        tags,
        summary: 'Delete a file (204 also when it was absent)',
        ...access(app, 'signed-in-or-link').schema,
        params: FileNameParams,
        querystring: SignedLinkQuery,
        response: {
          204: Type.Null({ description: 'Deleted, or was not there' }),
          ...problemResponses(401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'd',
      });
      await service.delete(admitted.ref);
      return reply.code(204).send(null);
    },
  );
}

export function registerStorageHealth(app: App, health: DependencyCheck, region: string | undefined): void {
  app.get(
    '/health/azure-storage',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Blob storage: driver, container and circuit-breaker state',
        response: { 200: StorageHealth, 503: StorageHealth },
      },
    },
    async (_request, reply) => {
      const result = await health.check(AbortSignal.timeout(5000)).catch((error: unknown) => ({
        status: 'unhealthy' as const,
        error: error instanceof Error ? error.message : String(error),
      }));
      return reply.code(result.status === 'unhealthy' ? 503 : 200).send({
        service: 'azure_blob_storage' as const,
        ...(region === undefined ? {} : { region }),
        driver: health.driver,
        ...result,
      });
    },
  );
}
