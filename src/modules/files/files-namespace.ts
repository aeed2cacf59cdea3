// Each principal's files live under `users/{subject}/` in the files container. The API's names are
// relative to that prefix: callers see and send plain names, and no name reaches another namespace.
import type { BlobRef } from '../../platform/blob/blob-store.js';

/** `users/{subject}/`, the subject made one safe path segment (no slash, never "." or ".."). */
export function ownerPrefix(owner: string): string {
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
