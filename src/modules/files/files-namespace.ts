// Each principal's files live under `users/{subject}/` in the files container. The API's names are
// relative to that prefix: callers see and send plain names, and no name reaches another namespace.
import type { BlobRef } from '../../platform/blob/blob-store.js';
import { errors } from '../../platform/errors/app-error.js';

/** `users/{subject}/`, the subject made one safe path segment (no slash, never "." or ".."). */
export function ownerPrefix(owner: string): string {
  // A lone surrogate (an admin's `owner` field can hold one) has no URI encoding: a 400, not a 500.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(owner))
    throw errors.badRequest('owner is not well-formed Unicode.');
  return `users/${encodeURIComponent(owner).replace(/\./g, '%2E')}/`;
}

/** Where `owner`'s file `name` lives. */
export function ownedRef(container: string, owner: string, name: string): BlobRef {
  return { container, name: `${ownerPrefix(owner)}${name}` };
}

/** The name the API shows `owner` for one of their blobs. */
export function apiName(owner: string, blobName: string): string {
  const prefix = ownerPrefix(owner);
  return blobName.startsWith(prefix) ? blobName.slice(prefix.length) : blobName;
}
