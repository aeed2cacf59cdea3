// The disk driver: the contract, plus what only the disk has (root confinement, signed links).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDiskBlobStore } from '../../../src/platform/blob/disk-blob-store.js';
import { verifyDiskLink } from '../../../src/platform/blob/disk-signed-links.js';
import { describeBlobStoreContract } from './blob-store-contract.js';

const roots: string[] = [];
async function makeStore(key = randomBytes(32)) {
  const root = await mkdtemp(join(tmpdir(), 'azimuth-blobs-'));
  roots.push(root);
  return {
    root,
    key,
    store: createDiskBlobStore({
      root,
      defaultContainer: 'azimuth',
      signingKey: key,
      publicBaseUrl: 'http://localhost:8080',
    }),
  };
}
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describeBlobStoreContract('disk', async () => ({ store: (await makeStore()).store }));

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String);
}

describe('disk blob store', () => {
  it('when names try to climb out, then every file stays inside the root', async () => {
    const { root, store } = await makeStore();
    await store.upload({ container: 'box', name: '..x/.../a' }, Buffer.from('1'));
    await store.upload({ container: 'box', name: '%2e%2e/b' }, Buffer.from('2'));
    await expect(store.upload({ container: 'box', name: '../escape' }, Buffer.from('3'))).rejects.toThrow(
      '".." path segments',
    );
    expect((await readdir(join(root, '..'))).filter((f) => f === 'escape')).toEqual([]);
    const tree = await listTree(root);
    expect(tree.every((p) => !p.includes('..' + '/') || p.startsWith('box'))).toBe(true);
    expect((await store.downloadBuffer({ container: 'box', name: '%2e%2e/b' })).toString()).toBe('2');
  });

  it('when any segment of a name encodes past 200 bytes, then every operation is a 400 and nothing is written', async () => {
    // A folder segment of `%`-heavy text triples when encoded: the file system would refuse it
    // (ENAMETOOLONG, a 500) if the driver did not. Found by the route fuzz (an admin's `owner`).
    const { root, store } = await makeStore();
    const long = '%"{}'.repeat(30);
    for (const name of [`${long}/a`, `users/${long}/b`, `a/${long}`]) {
      const ref = { container: 'box', name };
      await expect(store.upload(ref, Buffer.from('1'))).rejects.toMatchObject({ status: 400 });
      await expect(store.head(ref)).rejects.toMatchObject({ status: 400 });
      await expect(store.download(ref)).rejects.toMatchObject({ status: 400 });
      await expect(store.delete(ref)).rejects.toMatchObject({ status: 400 });
    }
    expect((await listTree(root)).filter((path) => !path.startsWith('.'))).toEqual([]);
  });

  it('when an upload completes, then no temporary file is left behind', async () => {
    const { root, store } = await makeStore();
    await store.upload({ container: 'box', name: 'a.txt' }, Buffer.from('x'));
    await store.upload({ container: 'box', name: 'a.txt' }, Buffer.from('y'));
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    // One pointer and one version: the overwritten bytes are gone.
    expect((await readdir(join(root, 'box'))).length).toBe(2);
  });

  describe('signed links (verify)', () => {
    const ref = { container: 'azimuth', name: 'docs/report 1.pdf' };
    const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

    it('when a read link is checked for reading before expiry, then ok', async () => {
      const { key, store } = await makeStore();
      const link = await store.sasUrl(ref, {
        permissions: 'r',
        expiresInSeconds: 600,
        contentDisposition: 'attachment; filename="r.pdf"',
      });
      expect(link.url.startsWith('http://localhost:8080/api/files/docs/report%201.pdf?')).toBe(true);
      const verdict = verifyDiskLink({ key, ref, query: query(link.url), permission: 'r' });
      expect(verdict).toMatchObject({
        ok: true,
        permissions: 'r',
        contentDisposition: 'attachment; filename="r.pdf"',
      });
    });

    it('when a read link is used to write or delete, then permission-denied', async () => {
      const { key, store } = await makeStore();
      const link = await store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 600 });
      expect(verifyDiskLink({ key, ref, query: query(link.url), permission: 'w' })).toEqual({
        ok: false,
        reason: 'permission-denied',
      });
      expect(verifyDiskLink({ key, ref, query: query(link.url), permission: 'd' })).toEqual({
        ok: false,
        reason: 'permission-denied',
      });
    });

    it('when the link has expired, then expired', async () => {
      const { key, store } = await makeStore();
      const link = await store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 60 });
      const later = new Date(Date.now() + 61_000);
      expect(verifyDiskLink({ key, ref, query: query(link.url), permission: 'r', now: later })).toEqual({
        ok: false,
        reason: 'expired',
      });
    });

    it('when any signed part is tampered with, then bad-signature', async () => {
      const { key, store } = await makeStore();
      const link = await store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 600 });
      const q = query(link.url);
      const sig = q.sig ?? '';
      const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
      expect(verifyDiskLink({ key, ref, query: { ...q, sig: flipped }, permission: 'r' })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
      expect(verifyDiskLink({ key, ref, query: { ...q, sp: 'rwd' }, permission: 'w' })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
      expect(
        verifyDiskLink({ key, ref, query: { ...q, se: String(Number(q.se) + 3600) }, permission: 'r' }),
      ).toEqual({ ok: false, reason: 'bad-signature' });
      expect(
        verifyDiskLink({ key, ref: { ...ref, name: 'docs/other.pdf' }, query: q, permission: 'r' }),
      ).toEqual({ ok: false, reason: 'bad-signature' });
      expect(verifyDiskLink({ key: randomBytes(32), ref, query: q, permission: 'r' })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
      expect(verifyDiskLink({ key, ref, query: { ...q, sig: undefined }, permission: 'r' })).toEqual({
        ok: false,
        reason: 'missing-signature',
      });
      expect(verifyDiskLink({ key, ref, query: { ...q, se: 'soon' }, permission: 'r' })).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });
  });
});
