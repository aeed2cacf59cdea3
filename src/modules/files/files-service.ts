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
  /** The part's file name, for the default `{uuid}/{file name}`. */
  filename?: string;
  contentType?: string;
  /** True once the multipart parser cut the file at its size limit. */
  truncated?: () => boolean;
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

export function createFilesService(options: FilesServiceOptions) {
  const { store, container } = options;
  const ref = (name: string): BlobRef => ({ container, name });
  const maxMb = Math.round(options.maxUploadBytes / 1024 / 1024);
  const tooLarge = () =>
    errors.payloadTooLarge(`The file exceeds the ${maxMb} MB upload limit.`, {
      extensions: { limitBytes: options.maxUploadBytes },
    });

  return {
    container,

    async upload(input: UploadInput): Promise<{ properties: BlobProperties; url: string }> {
      const name = input.name ?? `${randomUUID()}/${safeFileName(input.filename)}`;
      const body = limitBodySize(input.body, {
        maxBytes: options.maxUploadBytes,
        tooLarge,
        ...(input.truncated === undefined ? {} : { truncated: input.truncated }),
      });
      const properties = await store.upload(ref(name), body, {
        ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
      });
      return { properties, url: store.url(ref(name)) };
    },

    /** A range request for the last `suffixLength` bytes needs the size first. */
    async download(
      name: string,
      range: ByteRange | { suffixLength: number } | undefined,
    ): Promise<BlobDownload> {
      if (range !== undefined && 'suffixLength' in range) {
        const { size } = await store.head(ref(name));
        if (size === 0) throw errors.rangeNotSatisfiable('The file is empty.');
        return store.download(ref(name), { range: { start: Math.max(0, size - range.suffixLength) } });
      }
      return store.download(ref(name), range === undefined ? {} : { range });
    },

    head: (name: string) => store.head(ref(name)),

    exists: (name: string) => store.exists(ref(name)),

    delete: (name: string) => store.delete(ref(name)),

    async list(query: { prefix?: string; limit?: number; cursor?: string }) {
      const page = await store.list(container, {
        pageSize: query.limit ?? 100,
        ...(query.prefix === undefined ? {} : { prefix: query.prefix }),
        ...(query.cursor === undefined ? {} : { continuationToken: query.cursor }),
      });
      return { items: page.items, nextCursor: page.continuationToken ?? null };
    },

    sas(input: {
      name: string;
      permissions: string;
      expiresInSeconds?: number;
      contentDisposition?: string;
    }): Promise<SasLink> {
      return store.sasUrl(ref(input.name), {
        permissions: input.permissions,
        expiresInSeconds: input.expiresInSeconds ?? options.sasTtlSeconds,
        ...(input.contentDisposition === undefined ? {} : { contentDisposition: input.contentDisposition }),
      });
    },
  };
}
