// The files use cases over the BlobStore port: naming, size limits, listing cursors and SAS
// links. Storage outages reach the caller as the port's DependencyUnavailableError (503).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type {
  BlobDownload,
  BlobProperties,
  BlobRef,
  BlobStore,
  ByteRange,
  SasLink,
} from '../../platform/blob/blob-store.js';
import { errors } from '../../platform/errors/app-error.js';
import { decodeCursor, encodeCursor } from '../../platform/paging/page-cursor.js';
import { limitBodySize } from '../../platform/blob/size-limited-body.js';

export interface FilesServiceOptions {
  store: BlobStore;
  /** The container the API serves (AZURE_STORAGE_CONTAINER). */
  container: string;
  /** MAX_UPLOAD_MB in bytes. */
  maxUploadBytes: number;
  /** BLOB_SAS_TTL_SECONDS: lifetime of links when the caller does not say. */
  sasTtlSeconds: number;
}

export interface UploadInput {
  body: Readable;
  /** The `name` field, when the client chose one. */
  name?: string;
  /** A signed link's container; the container the API serves by default. */
  container?: string;
  /** The part's file name, for the default `{uuid}/{file name}`. */
  filename?: string;
  contentType?: string;
  /** True once the multipart parser cut the file at its size limit. */
  truncated?: () => boolean;
  /** Whose upload quota the file counts against (the caller's). */
  quotaSubject: string;
}

export type FilesService = ReturnType<typeof createFilesService>;

/** The last path segment of a client's file name, stripped of anything a path could abuse. */
export function safeFileName(filename: string | undefined): string {
  const base = (filename ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = Array.from(base)
    .filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .replace(/^\.+$/, '')
    .replace(/\.+$/, '');
  return cleaned === '' ? 'file' : cleaned.slice(0, 200);
}

export interface LinkRequest {
  permissions: string;
  expiresInSeconds?: number;
  contentDisposition?: string;
}

/** Links for up to this many names in one request (seed 001: batch SAS generation). */
export const MAX_LINKS_PER_REQUEST = 100;

export function createFilesService(options: FilesServiceOptions) {
  const { store, container } = options;
  const ref = (name: string): BlobRef => ({ container, name });
  const maxMb = Math.round(options.maxUploadBytes / 1024 / 1024);
  const tooLarge = () =>
    errors.payloadTooLarge(`The file exceeds the ${maxMb} MB upload limit.`, {
      extensions: { limitBytes: options.maxUploadBytes },
    });

  /** A link that can neither write nor create is only worth something for a file that exists. */
  const assertLinkable = async (names: string[], permissions: string): Promise<void> => {
    if (/[wc]/.test(permissions)) return;
    const present = await Promise.all(names.map((name) => store.exists(ref(name))));
    const missing = names.filter((_name, i) => !present[i]);
    if (missing.length > 0)
      throw errors.notFound(
        `No such file: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      );
  };

  const sign = (name: string, input: LinkRequest): Promise<SasLink> =>
    store.sasUrl(ref(name), {
      permissions: input.permissions,
      expiresInSeconds: input.expiresInSeconds ?? options.sasTtlSeconds,
      ...(input.contentDisposition === undefined ? {} : { contentDisposition: input.contentDisposition }),
    });

  return {
    container,

    /** Where a name lives in the container the API serves. */
    ref,

    async upload(input: UploadInput): Promise<{ properties: BlobProperties; url: string }> {
      const target = {
        container: input.container ?? container,
        name: input.name ?? `${randomUUID()}/${safeFileName(input.filename)}`,
      };
      const body = limitBodySize(input.body, {
        maxBytes: options.maxUploadBytes,
        tooLarge,
        ...(input.truncated === undefined ? {} : { truncated: input.truncated }),
      });
      const properties = await store.upload(target, body, {
        quotaSubject: input.quotaSubject,
        ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
      });
      return { properties, url: store.url(target) };
    },

    /** A range request for the last `suffixLength` bytes needs the size first. */
    async download(
      target: BlobRef,
      range: ByteRange | { suffixLength: number } | undefined,
    ): Promise<BlobDownload> {
      if (range !== undefined && 'suffixLength' in range) {
        const { size } = await store.head(target);
        if (size === 0) throw errors.rangeNotSatisfiable('The file is empty.');
        return store.download(target, { range: { start: Math.max(0, size - range.suffixLength) } });
      }
      return store.download(target, range === undefined ? {} : { range });
    },

    head: (target: BlobRef) => store.head(target),

    exists: (target: BlobRef) => store.exists(target),

    delete: (target: BlobRef) => store.delete(target),

    async list(query: { prefix?: string; limit?: number; cursor?: string }) {
      // The store's continuation token, wrapped by the one cursor rule so garbage is a 400.
      const after = decodeCursor(query.cursor, (key) => typeof key.token === 'string');
      const page = await store.list(container, {
        pageSize: query.limit ?? 100,
        ...(query.prefix === undefined ? {} : { prefix: query.prefix }),
        ...(after === undefined ? {} : { continuationToken: String(after.token) }),
      });
      const token = page.continuationToken;
      return { items: page.items, nextCursor: token === undefined ? null : encodeCursor({ token }) };
    },

    /** One link; 404 for a read (or delete) link to a file that does not exist. */
    async link(name: string, input: LinkRequest): Promise<SasLink> {
      await assertLinkable([name], input.permissions);
      return sign(name, input);
    },

    /** One link per name, in order; 404 naming the missing files when a read link is asked for any. */
    async links(names: string[], input: LinkRequest): Promise<Array<SasLink & { name: string }>> {
      await assertLinkable(names, input.permissions);
      return Promise.all(names.map(async (name) => ({ name, ...(await sign(name, input)) })));
    },
  };
}
