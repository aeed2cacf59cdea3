// Azure's naming rules for containers, blobs, metadata and SAS permissions, checked before any
// I/O so both drivers accept exactly the same names and a bad one fails with the rule it broke.
import { errors } from '../errors/app-error.js';
import type { BlobRef } from './blob-store.js';

const containerPattern = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point here.
const controlChars = /[\u0000-\u001f\u007f-\u009f]/;
// In a `u` pattern a surrogate pair is one code point, so only a lone surrogate is category Cs.
const loneSurrogate = /\p{Cs}/u;
const metadataKeyPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A list page's size: 100 when omitted; 400 outside Azure's 1-5000. */
export function listPageSize(pageSize: number | undefined): number {
  const size = pageSize ?? 100;
  if (!Number.isInteger(size) || size < 1 || size > 5000)
    throw errors.badRequest('Page size must be 1-5000.');
  return size;
}

/** Throws 400 naming the rule when `name` is not a valid Azure container name. */
export function assertContainerName(name: string): void {
  if (name.length < 3 || name.length > 63)
    throw errors.badRequest(`Container name must be 3-63 characters long (got ${name.length}).`);
  if (!/^[a-z0-9-]+$/.test(name))
    throw errors.badRequest('Container name may hold only lowercase letters, digits and hyphens.');
  if (!containerPattern.test(name))
    throw errors.badRequest(
      'Container name must start and end with a letter or digit and hold no consecutive hyphens.',
    );
}

/** Throws 400 naming the rule when `name` is not a valid blob name. */
export function assertBlobName(name: string): void {
  if (name.length < 1 || name.length > 1024)
    throw errors.badRequest(`Blob name must be 1-1024 characters long (got ${name.length}).`);
  if (controlChars.test(name)) throw errors.badRequest('Blob name must not contain control characters.');
  // A lone UTF-16 surrogate has no UTF-8 form: no URL, no header, no Azure name can carry it.
  if (loneSurrogate.test(name))
    throw errors.badRequest('Blob name must be valid Unicode (no lone surrogates).');
  if (name.endsWith('.') || name.endsWith('/'))
    throw errors.badRequest('Blob name must not end with a dot or a slash.');
  const segments = name.split('/');
  if (segments.length > 254) throw errors.badRequest('Blob name must have at most 254 path segments.');
  if (segments.some((segment) => segment === '..' || segment === '.'))
    throw errors.badRequest('Blob name must not contain "." or ".." path segments.');
  if (name.includes('\\')) throw errors.badRequest('Blob name must not contain backslashes.');
}

export function assertBlobRef(ref: BlobRef): void {
  assertContainerName(ref.container);
  assertBlobName(ref.name);
}

/** Metadata keys must be C# identifiers; values must be printable ASCII (HTTP header rules). */
export function assertMetadata(metadata: Record<string, string> | undefined): void {
  if (metadata === undefined) return;
  for (const [key, value] of Object.entries(metadata)) {
    if (!metadataKeyPattern.test(key))
      throw errors.badRequest(`Metadata key "${key}" must be a C# identifier (letters, digits, _).`);
    if (!/^[\x20-\x7e]*$/.test(value))
      throw errors.badRequest(`Metadata value of "${key}" must be printable ASCII.`);
  }
}

/** Valid inputs seen so far and their canonical form: at most 64 (the orderings of `rwcd` subsets). */
const canonicalPermissions = new Map<string, string>();

/** Normalizes permissions to Azure's canonical order (`rcwd`), throwing 400 on anything else. */
export function normalizeSasPermissions(permissions: string): string {
  const known = canonicalPermissions.get(permissions);
  if (known !== undefined) return known;
  if (
    permissions.length === 0 ||
    !/^[rwcd]+$/.test(permissions) ||
    new Set(permissions).size !== permissions.length
  )
    throw errors.badRequest('SAS permissions must be a non-empty subset of "rwcd", each letter once.');
  const canonical = ['r', 'c', 'w', 'd'].filter((p) => permissions.includes(p)).join('');
  canonicalPermissions.set(permissions, canonical);
  return canonical;
}

/** 1 second to 7 days, the longest a user-delegation SAS may live. */
export function assertSasLifetime(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 7 * 86_400)
    throw errors.badRequest('SAS lifetime must be a whole number of seconds from 1 to 604800 (7 days).');
}
