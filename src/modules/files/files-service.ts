// The files use cases over the BlobStore port: naming, size limits, listing and SAS links, each
// within one owner's namespace (files-namespace.ts). Storage outages reach the caller as the
// port's DependencyUnavailableError (503).
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
import { apiName, ownedRef, ownerPrefix } from './files-namespace.js';

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
  contentType?: string;
  /** True once the multipart parser cut the file at its size limit. */
  truncated?: () => boolean;
  /** Whose upload quota the file counts against (the caller's). */
  quotaSubject: string;
}

export interface LinkRequest {
  permissions: string;
  expiresInSeconds?: number;
  contentDisposition?: string;
}

export interface ListQuery {
  prefix?: string;
  limit?: number;
  cursor?: string;
}

/** Links for up to this many names in one request (seed 001: batch SAS generation). */
export const MAX_LINKS_PER_REQUEST = 100;

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

/** The name of an upload that did not choose one: `{uuid}/{file name}`. */
export const defaultFileName = (filename: string | undefined): string =>
  `${randomUUID()}/${safeFileName(filename)}`;

async function upload(options: FilesServiceOptions, target: BlobRef, input: UploadInput) {
  const maxMb = Math.round(options.maxUploadBytes / 1024 / 1024);
  const body = limitBodySize(input.body, {
    maxBytes: options.maxUploadBytes,
    tooLarge: () =>
      errors.payloadTooLarge(`The file exceeds the ${maxMb} MB upload limit.`, {
        extensions: { limitBytes: options.maxUploadBytes },
      }),
    ...(input.truncated === undefined ? {} : { truncated: input.truncated }),
  });
  return options.store.upload(target, body, {
    quotaSubject: input.quotaSubject,
    ...(input.contentType === undefined ? {} : { contentType: input.contentType }),
  });
}

/** A range request for the last `suffixLength` bytes needs the size first. */
async function download(
  store: BlobStore,
  target: BlobRef,
  range: ByteRange | { suffixLength: number } | undefined,
): Promise<BlobDownload> {
  if (range !== undefined && 'suffixLength' in range) {
    const { size } = await store.head(target);
    if (size === 0) throw errors.rangeNotSatisfiable('The file is empty.');
    return store.download(target, { range: { start: Math.max(0, size - range.suffixLength) } });
  }
  return store.download(target, range === undefined ? {} : { range });
}

/** One page of the owner's files, named as the API shows them. */
async function list(options: FilesServiceOptions, owner: string, query: ListQuery) {
  // The store's continuation token, wrapped by the one cursor rule so garbage is a 400.
  const after = decodeCursor(query.cursor, (key) => typeof key.token === 'string');
  const page = await options.store.list(options.container, {
    pageSize: query.limit ?? 100,
    prefix: `${ownerPrefix(owner)}${query.prefix ?? ''}`,
    ...(after === undefined ? {} : { continuationToken: String(after.token) }),
  });
  const token = page.continuationToken;
  return {
    items: page.items.map((item) => ({ ...item, name: apiName(owner, item.name) })),
    nextCursor: token === undefined ? null : encodeCursor({ token }),
  };
}

/**
 * One link per name of the owner's, in order. A link that can neither write nor create is only
 * worth something for a file that exists: 404 naming the missing ones.
 */
async function links(
  options: FilesServiceOptions,
  owner: string,
  names: string[],
  input: LinkRequest,
): Promise<Array<SasLink & { name: string }>> {
  const refs = names.map((name) => ownedRef(options.container, owner, name));
  if (!/[wc]/.test(input.permissions)) {
    const present = await Promise.all(refs.map((ref) => options.store.exists(ref)));
    const missing = names.filter((_name, i) => !present[i]);
    if (missing.length > 0)
      throw errors.notFound(
        `No such file: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      );
  }
  return Promise.all(
    refs.map(async (ref, i) => ({
      name: names[i] ?? '',
      ...(await options.store.sasUrl(ref, {
        permissions: input.permissions,
        expiresInSeconds: input.expiresInSeconds ?? options.sasTtlSeconds,
        ...(input.contentDisposition === undefined ? {} : { contentDisposition: input.contentDisposition }),
      })),
    })),
  );
}

export function createFilesService(options: FilesServiceOptions) {
  const { store, container } = options;
  return {
    /** Where the owner's file `name` lives in the container the API serves. */
    ref: (owner: string, name: string): BlobRef => ownedRef(container, owner, name),
    /**
     * The plain URL of a blob the request addressed as `name`: the disk driver's is the API's own
     * path, which takes the name as addressed; Azure's is the blob endpoint's.
     */
    url: (target: BlobRef, name: string): string =>
      store.url(store.driver === 'disk' ? { container: target.container, name } : target),
    upload: (target: BlobRef, input: UploadInput): Promise<BlobProperties> => upload(options, target, input),
    download: (target: BlobRef, range: ByteRange | { suffixLength: number } | undefined) =>
      download(store, target, range),
    head: (target: BlobRef) => store.head(target),
    exists: (target: BlobRef) => store.exists(target),
    delete: (target: BlobRef) => store.delete(target),
    list: (owner: string, query: ListQuery) => list(options, owner, query),
    links: (owner: string, names: string[], input: LinkRequest) => links(options, owner, names, input),
  };
}
