// Signed links for the disk driver, the embedded stand-in for Azure SAS: HMAC-SHA256 over the
// container, name, permissions, expiry and content-disposition, served by GET /api/files/{name}.
//
// Shape: {publicBaseUrl}/api/files/{name, each segment URI-encoded}
//          ?sv=1&sc={container}&sp={rcwd subset}&se={expiry, unix seconds}[&rscd={disposition}]&sig={base64url}
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeSasPermissions } from './blob-names.js';
import type { BlobRef } from './blob-store.js';
import {
  filesPath,
  type LinkPermission,
  type LinkVerdict,
  type SignedLinkVerifier,
} from './signed-link-verifier.js';

export const diskLinkVersion = '1';

export interface DiskLinkSigner {
  key: Buffer;
  /** The API's public origin, e.g. `https://azimuth.example.com`; no trailing slash. */
  publicBaseUrl: string;
}

function signature(key: Buffer, parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\n')).digest('base64url');
}

export function signDiskLink(
  signer: DiskLinkSigner,
  options: { ref: BlobRef; permissions: string; expiresOn: Date; contentDisposition?: string },
): string {
  const se = String(Math.floor(options.expiresOn.getTime() / 1000));
  const sp = normalizeSasPermissions(options.permissions);
  const rscd = options.contentDisposition ?? '';
  const sig = signature(signer.key, [diskLinkVersion, options.ref.container, options.ref.name, sp, se, rscd]);
  const query = new URLSearchParams({ sv: diskLinkVersion, sc: options.ref.container, sp, se });
  if (rscd !== '') query.set('rscd', rscd);
  query.set('sig', sig);
  return `${signer.publicBaseUrl}${filesPath(options.ref.name)}?${query.toString()}`;
}

/**
 * Checks a signed link for `ref` and the permission the request needs (GET/HEAD: r; PUT: w or c;
 * DELETE: d). The HTTP layer takes the container from the `sc` query parameter.
 */
export function verifyDiskLink(options: {
  key: Buffer;
  ref: BlobRef;
  query: Record<string, string | undefined>;
  permission: LinkPermission;
  now?: Date;
}): LinkVerdict {
  const { sv, sp, se, sig, rscd } = options.query;
  if (sig === undefined || sig === '') return { ok: false, reason: 'missing-signature' };
  if (sv !== diskLinkVersion || sp === undefined || se === undefined || !/^\d{1,12}$/.test(se))
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(
    signature(options.key, [diskLinkVersion, options.ref.container, options.ref.name, sp, se, rscd ?? '']),
  );
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  const expiresOn = new Date(Number(se) * 1000);
  if (expiresOn.getTime() <= (options.now ?? new Date()).getTime()) return { ok: false, reason: 'expired' };
  if (!sp.includes(options.permission)) return { ok: false, reason: 'permission-denied' };
  return {
    ok: true,
    ref: options.ref,
    permissions: sp,
    expiresOn,
    ...(rscd === undefined ? {} : { contentDisposition: rscd }),
  };
}

/**
 * The disk driver's SignedLinkVerifier: the container is the link's own `sc` (signed with the
 * rest), so links to any container the store signed are served.
 */
export function createDiskLinkVerifier(key: Buffer, defaultContainer: string): SignedLinkVerifier {
  return ({ name, query, permission }) =>
    verifyDiskLink({ key, ref: { container: query.sc ?? defaultContainer, name }, query, permission });
}
