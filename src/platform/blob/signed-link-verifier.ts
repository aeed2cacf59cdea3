// The SignedLinkVerifier port: checks a link the API itself signed and serves (the disk driver's
// stand-in for Azure SAS, which Azure Storage checks itself). The link names its container, so one
// verifier serves every container the API hands out links for.
import type { BlobRef } from './blob-store.js';

/** What a request needs: GET/HEAD r; PUT w, or c to create only; DELETE d. */
export type LinkPermission = 'r' | 'w' | 'c' | 'd';

export type LinkVerdict =
  | { ok: true; ref: BlobRef; permissions: string; expiresOn: Date; contentDisposition?: string }
  | {
      ok: false;
      reason: 'missing-signature' | 'malformed' | 'expired' | 'bad-signature' | 'permission-denied';
    };

export interface SignedLinkRequest {
  /** The blob name from the path. */
  name: string;
  /** The link's query parameters (its container among them). */
  query: Record<string, string | undefined>;
  permission: LinkPermission;
}

export type SignedLinkVerifier = (link: SignedLinkRequest) => LinkVerdict;

/** The path the API serves a signed link's blob at (the files API): each segment URI-encoded. */
export function filesPath(name: string): string {
  return `/api/files/${name.split('/').map(encodeURIComponent).join('/')}`;
}
