// The Azure driver against a real in-process Azurite: the contract, and SAS links checked by the
// server itself with plain fetch.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBlobStore } from '../../../src/platform/blob/azure-blob-store.js';
import type { BlobStore } from '../../../src/platform/blob/blob-store.js';
import { devAccount, startAzurite, type Azurite } from '../../helpers/azurite.js';
import { describeBlobStoreContract } from './blob-store-contract.js';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite({ blob: true });
});
afterAll(async () => {
  await azurite.close();
});

describeBlobStoreContract('azure (connection string, Azurite)', () =>
  Promise.resolve({
    store: createAzureBlobStore({
      auth: { kind: 'connection-string', connectionString: azurite.connectionString },
      defaultContainer: 'azimuth',
    }),
  }),
);

describe('azure blob store', () => {
  let store: BlobStore;
  const ref = { container: 'sas-checks', name: 'docs/report 1.txt' };
  beforeAll(async () => {
    store = createAzureBlobStore({
      auth: {
        kind: 'account-key',
        accountName: devAccount.name,
        accountKey: devAccount.key,
        accountUrl: azurite.blobEndpoint,
      },
      defaultContainer: 'sas-checks',
    });
    await store.upload(ref, Buffer.from('top secret'), { contentType: 'text/plain' });
  });

  it('when building URLs without the SDK client, then they match the SDK byte for byte', () => {
    const sdk = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      ref.container,
    );
    for (const name of ['a b/c.txt', "it's+(1)*!.txt", 'q?x=1&y#z%20.txt', 'ünï/çødé ✓', '100%.txt'])
      expect(store.url({ container: ref.container, name })).toBe(sdk.getBlockBlobClient(name).url);
  });

  it('when authenticated with account name and key, then the same blobs are reachable', async () => {
    expect((await store.downloadBuffer(ref)).toString()).toBe('top secret');
  });

  it('when a read link is fetched, then the server serves the blob (with the asked content-disposition)', async () => {
    const link = await store.sasUrl(ref, {
      permissions: 'r',
      expiresInSeconds: 300,
      contentDisposition: 'attachment; filename="r.txt"',
    });
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('top secret');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="r.txt"');
  });

  it('when a read link is used to write, then the server answers 403', async () => {
    const link = await store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 300 });
    const response = await fetch(link.url, {
      method: 'PUT',
      body: 'overwrite',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(response.status).toBe(403);
    expect((await store.downloadBuffer(ref)).toString()).toBe('top secret');
  });

  it('when a write link is used to write, then the server accepts it', async () => {
    const target = { container: ref.container, name: 'uploads/by-link.txt' };
    const link = await store.sasUrl(target, { permissions: 'cw', expiresInSeconds: 300 });
    const response = await fetch(link.url, {
      method: 'PUT',
      body: 'via link',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(response.status).toBe(201);
    expect((await store.downloadBuffer(target)).toString()).toBe('via link');
  });

  it('when a link has expired, then the server answers 403', async () => {
    const past = createAzureBlobStore({
      auth: { kind: 'connection-string', connectionString: azurite.connectionString },
      defaultContainer: 'sas-checks',
      // Issued "two hours ago" for one hour: expired an hour ago.
      now: () => new Date(Date.now() - 2 * 3_600_000),
    });
    const link = await past.sasUrl(ref, { permissions: 'r', expiresInSeconds: 3600 });
    expect((await fetch(link.url)).status).toBe(403);
  });

  it('when the signature is tampered with, then the server answers 403', async () => {
    const link = await store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 300 });
    const url = new URL(link.url);
    const sig = url.searchParams.get('sig') ?? '';
    url.searchParams.set('sig', (sig.startsWith('A') ? 'B' : 'A') + sig.slice(1));
    expect((await fetch(url)).status).toBe(403);
    const widened = new URL(link.url);
    widened.searchParams.set('sp', 'rw');
    expect(
      (await fetch(widened, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } })).status,
    ).toBe(403);
  });

  it('when a link is for another blob, then it does not open this one', async () => {
    const other = await store.sasUrl(
      { container: ref.container, name: 'docs/other.txt' },
      { permissions: 'r', expiresInSeconds: 300 },
    );
    const url = new URL(other.url);
    const forged = new URL(store.url(ref));
    forged.search = url.search;
    expect((await fetch(forged)).status).toBe(403);
  });
});
