// `blob://container/name` references: how other tables and jobs point at a stored blob.
import { errors } from '../errors/app-error.js';
import { assertBlobRef } from './blob-names.js';
import type { BlobRef } from './blob-store.js';

const scheme = 'blob://';

/** Parses and validates `blob://container/name/with/slashes`; 400 when malformed. */
export function parseBlobUri(uri: string): BlobRef {
  if (!uri.startsWith(scheme)) throw errors.badRequest(`Blob reference must start with ${scheme}.`);
  const rest = uri.slice(scheme.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1)
    throw errors.badRequest('Blob reference must look like blob://container/name.');
  const ref = { container: rest.slice(0, slash), name: rest.slice(slash + 1) };
  assertBlobRef(ref);
  return ref;
}

export function formatBlobUri(ref: BlobRef): string {
  return `${scheme}${ref.container}/${ref.name}`;
}

export function isBlobUri(value: string): boolean {
  return value.startsWith(scheme);
}
