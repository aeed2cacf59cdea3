// Our shared-key SAS signer against the SDK's: byte-identical query strings for any blob name,
// permission set, start, expiry and Content-Disposition (Azurite's acceptance of the links is
// checked in azure-blob-store.test.ts, whose store signs with it).
import {
  BlobSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertBlobName } from '../../../src/platform/blob/blob-names.js';
import { createSharedKeySasSigner, type BlobSasFields } from '../../../src/platform/blob/shared-key-sas.js';
import { devAccount } from '../../helpers/azurite.js';

const isValidName = (name: string) => {
  try {
    assertBlobName(name);
    return true;
  } catch {
    return false;
  }
};

const credential = new StorageSharedKeyCredential(devAccount.name, devAccount.key);

const sdkQuery = (f: BlobSasFields) =>
  generateBlobSASQueryParameters(
    {
      containerName: f.container,
      blobName: f.name,
      permissions: BlobSASPermissions.parse(f.permissions),
      startsOn: f.startsOn,
      expiresOn: f.expiresOn,
      ...(f.contentDisposition === undefined ? {} : { contentDisposition: f.contentDisposition }),
    },
    credential,
  ).toString();

const fields: fc.Arbitrary<BlobSasFields> = fc.record(
  {
    container: fc.stringMatching(/^[a-z0-9](?:-?[a-z0-9]){2,40}$/),
    // Any name the store accepts (the driver validates before signing).
    name: fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }),
        fc.webPath(),
        fc.string({ minLength: 1 }),
      )
      .filter(isValidName),
    permissions: fc.subarray(['r', 'c', 'w', 'd'], { minLength: 1 }).map((p) => p.join('')),
    startsOn: fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    expiresOn: fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    contentDisposition: fc.oneof(
      fc.constant(''),
      fc.string({ unit: 'grapheme' }),
      fc.string().map((s) => `attachment; filename="${s}"`),
    ),
  },
  { requiredKeys: ['container', 'name', 'permissions', 'startsOn', 'expiresOn'] },
);

describe('createSharedKeySasSigner', () => {
  it('when any blob link is signed, then the query string is the one the SDK builds, byte for byte', () => {
    const sign = createSharedKeySasSigner(credential);
    fc.assert(
      fc.property(fields, (f) => {
        expect(sign(f)).toBe(sdkQuery(f));
      }),
      { numRuns: 2000 },
    );
  });

  it('when links are signed within one second and across seconds, then each carries its own times', () => {
    const sign = createSharedKeySasSigner(credential);
    const at = Date.parse('2026-11-26T18:25:51.100Z');
    const base = { container: 'files', name: 'a b/ç.txt', permissions: 'r' };
    for (const offset of [0, 800, 900, 1_000, 61_000, 0]) {
      const f = { ...base, startsOn: new Date(at + offset), expiresOn: new Date(at + offset + 86_400_000) };
      expect(sign(f)).toBe(sdkQuery(f));
    }
  });
});
