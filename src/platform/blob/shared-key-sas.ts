// Signs shared-key service SAS for one blob without the SDK's generic machinery: issuing a fresh
// link is hot (share links, downloads), and the SDK rebuilds an HMAC key, parses permissions,
// formats each date twice and walks 30 optional parameters per link. The output is byte-identical
// to `generateBlobSASQueryParameters(…, sharedKeyCredential).toString()` for what we sign (blob
// resource, start, expiry, permissions, optional Content-Disposition), which a property test
// checks; user-delegation SAS still go through the SDK.
import type { StorageSharedKeyCredential } from '@azure/storage-blob';

/**
 * The service version the SDK (12.32) signs with by default. The string to sign below is the one
 * documented for shared-key service SAS from 2020-12-06 on (Azure: "Create a service SAS").
 */
export const sasServiceVersion = '2026-04-06';

export interface BlobSasFields {
  container: string;
  name: string;
  /** Canonical order (`rcwd`), as normalizeSasPermissions returns it. */
  permissions: string;
  startsOn: Date;
  expiresOn: Date;
  contentDisposition?: string;
}

/** ISO 8601 to the second (`2026-11-26T18:25:51Z`), as Azure and the SDK write SAS times. */
function secondsIso(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, -5)}Z`;
}

/** Remembers the last formatted second: links issued in the same second share their times. */
function memoFormat(): (date: Date) => string {
  let lastSecond = Number.NaN;
  let last = '';
  return (date) => {
    const second = Math.floor(date.getTime() / 1000);
    if (second !== lastSecond) {
      last = secondsIso(date);
      lastSecond = second;
    }
    return last;
  };
}

/** A signer for one account: returns the query string (without `?`) of a blob SAS. */
export function createSharedKeySasSigner(
  credential: StorageSharedKeyCredential,
): (fields: BlobSasFields) => string {
  const starts = memoFormat();
  const expires = memoFormat();
  const prefix = `/blob/${credential.accountName}/`;
  return (fields) => {
    const st = starts(fields.startsOn);
    const se = expires(fields.expiresOn);
    const disposition = fields.contentDisposition ?? '';
    // permissions, start, expiry, canonical name, identifier, IP, protocol, version, resource,
    // snapshot, encryption scope, then the five response headers (Content-Disposition second).
    const stringToSign = `${fields.permissions}\n${st}\n${se}\n${prefix}${fields.container}/${fields.name}\n\n\n\n${sasServiceVersion}\nb\n\n\n\n${disposition}\n\n\n`;
    // The credential's own HMAC: its key buffer was decoded once, when the credential was made.
    const signature = credential.computeHMACSHA256(stringToSign);
    // The SDK's parameter order; an empty value is left out, as the SDK does.
    return `sv=${sasServiceVersion}&st=${encodeURIComponent(st)}&se=${encodeURIComponent(se)}&sr=b&sp=${fields.permissions}${
      disposition === '' ? '' : `&rscd=${encodeURIComponent(disposition)}`
    }&sig=${encodeURIComponent(signature)}`;
  };
}
