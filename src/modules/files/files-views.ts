// Blob properties and links as the files API shows them, in bodies and in response headers.
import type { FastifyReply } from 'fastify';
import { userContentHeaders } from '../../http/user-content.js';
import type { BlobProperties, SasLink } from '../../platform/blob/blob-store.js';

export const fileView = (p: BlobProperties) => ({
  name: p.name,
  size: p.size,
  contentType: p.contentType,
  etag: p.etag,
  lastModified: p.lastModified.toISOString(),
});

/** `name`: as the caller addressed the file (within their own files, or a link's blob). */
export const uploadedView = (p: BlobProperties, name: string, url: string) => ({
  name,
  size: p.size,
  contentType: p.contentType,
  etag: p.etag,
  url,
});

export const linkView = (link: SasLink) => ({
  url: link.url,
  expiresOn: link.expiresOn.toISOString(),
  permissions: link.permissions,
});

/**
 * The headers of a file's representation (GET, HEAD and 304 alike): a user's bytes, so inline only
 * when its type is on the user-content allow-list, sandboxed always (http/user-content.ts).
 */
export function setFileHeaders(reply: FastifyReply, p: BlobProperties, contentDisposition?: string): void {
  reply.header('content-type', p.contentType);
  reply.header('etag', p.etag);
  reply.header('last-modified', p.lastModified.toUTCString());
  reply.header('accept-ranges', 'bytes');
  const filename = p.name.split('/').pop();
  reply.headers(
    userContentHeaders(p.contentType, {
      ...(filename === undefined ? {} : { filename }),
      ...(contentDisposition === undefined ? {} : { requested: contentDisposition }),
    }),
  );
}

/** If-None-Match (RFC 9110 §13.1.2): weak comparison, `*` matches any representation. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
