// The BlobStore contract: every driver (disk, Azure via Azurite) must pass the same suite.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/platform/errors/app-error.js';
import type { BlobRef, BlobStore } from '../../../src/platform/blob/blob-store.js';

export interface ContractFixture {
  store: BlobStore;
  close?: () => Promise<void>;
}

/** Rejects with an AppError of `status`, and returns it for further checks. */
export async function expectAppError(promise: Promise<unknown>, status: number): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error), `expected an AppError ${status}, got ${String(error)}`).toBe(true);
  expect((error as { status: number }).status).toBe(status);
  return error as Error;
}

const text = (s: string) => Buffer.from(s, 'utf8');

export function describeBlobStoreContract(
  driverName: string,
  makeFixture: () => Promise<ContractFixture>,
): void {
  describe(`BlobStore contract: ${driverName}`, () => {
    let fixture: ContractFixture;
    let store: BlobStore;
    // A fresh container per run keeps list results ours alone.
    const container = `contract-${randomUUID().slice(0, 8)}`;
    const ref = (name: string): BlobRef => ({ container, name });

    beforeAll(async () => {
      fixture = await makeFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture.close?.();
    });

    it('when a buffer is uploaded, then head and download return its bytes, type and metadata', async () => {
      const props = await store.upload(ref('hello.txt'), text('hello world'), {
        contentType: 'text/plain',
        metadata: { owner: 'ada', kind: 'greeting' },
      });
      expect(props).toMatchObject({ container, name: 'hello.txt', size: 11, contentType: 'text/plain' });
      expect(props.etag).toMatch(/^".+"$/);
      const head = await store.head(ref('hello.txt'));
      expect(head).toMatchObject({
        size: 11,
        contentType: 'text/plain',
        etag: props.etag,
        metadata: { owner: 'ada', kind: 'greeting' },
      });
      expect(head.lastModified).toBeInstanceOf(Date);
      expect((await store.downloadBuffer(ref('hello.txt'))).toString()).toBe('hello world');
      expect(await store.exists(ref('hello.txt'))).toBe(true);
    });

    it('when a stream is uploaded, then its size is counted and download streams it back', async () => {
      const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
      const props = await store.upload(ref('dir/streamed.bin'), Readable.from(chunks));
      expect(props.size).toBe(500_000);
      expect(props.contentType).toBe('application/octet-stream');
      const download = await store.download(ref('dir/streamed.bin'));
      expect(download.contentLength).toBe(500_000);
      expect(download.properties.size).toBe(500_000);
      const received: Buffer[] = [];
      for await (const chunk of download.stream) received.push(chunk as Buffer);
      expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
    });

    it('when an empty body is uploaded, then an empty blob exists', async () => {
      await store.upload(ref('empty'), Buffer.alloc(0));
      expect((await store.head(ref('empty'))).size).toBe(0);
      expect((await store.downloadBuffer(ref('empty'))).length).toBe(0);
    });

    it('when a blob is overwritten, then the new bytes and a new etag are served', async () => {
      const first = await store.upload(ref('over.txt'), text('one'));
      const second = await store.upload(ref('over.txt'), text('second'), { contentType: 'text/x-two' });
      expect(second.etag).not.toBe(first.etag);
      expect((await store.downloadBuffer(ref('over.txt'))).toString()).toBe('second');
      expect((await store.head(ref('over.txt'))).contentType).toBe('text/x-two');
    });

    it('when byte ranges are asked for, then the inclusive range is served, clamped to the end', async () => {
      await store.upload(ref('range.txt'), text('0123456789'));
      const middle = await store.download(ref('range.txt'), { range: { start: 2, end: 5 } });
      expect(middle.range).toEqual({ start: 2, end: 5 });
      expect(middle.contentLength).toBe(4);
      expect(middle.properties.size).toBe(10);
      // Only the headers were wanted: a dropped stream would hold its file until the collector ran.
      middle.stream.destroy();
      expect((await store.downloadBuffer(ref('range.txt'), { range: { start: 2, end: 5 } })).toString()).toBe(
        '2345',
      );
      expect((await store.downloadBuffer(ref('range.txt'), { range: { start: 7 } })).toString()).toBe('789');
      const clamped = await store.download(ref('range.txt'), { range: { start: 8, end: 100 } });
      expect(clamped.range).toEqual({ start: 8, end: 9 });
      clamped.stream.destroy();
      expect(
        (await store.downloadBuffer(ref('range.txt'), { range: { start: 8, end: 100 } })).toString(),
      ).toBe('89');
    });

    it('when a range starts past the end, then 416', async () => {
      await expectAppError(store.download(ref('range.txt'), { range: { start: 10 } }), 416);
      await expectAppError(store.download(ref('range.txt'), { range: { start: 5, end: 2 } }), 416);
    });

    it('when a blob is absent, then head and download are 404 and exists is false', async () => {
      await expectAppError(store.head(ref('missing.txt')), 404);
      await expectAppError(store.download(ref('missing.txt')), 404);
      await expectAppError(store.downloadBuffer(ref('missing.txt')), 404);
      expect(await store.exists(ref('missing.txt'))).toBe(false);
      expect(await store.exists({ container: `never-${randomUUID().slice(0, 8)}`, name: 'x' })).toBe(false);
    });

    it('when a blob is deleted twice, then the second delete is a no-op', async () => {
      await store.upload(ref('gone.txt'), text('bye'));
      expect(await store.delete(ref('gone.txt'))).toBe(true);
      expect(await store.exists(ref('gone.txt'))).toBe(false);
      expect(await store.delete(ref('gone.txt'))).toBe(false);
      expect(await store.delete({ container: `never-${randomUUID().slice(0, 8)}`, name: 'x' })).toBe(false);
    });

    it('when names nest, hold spaces, unicode and reserved URL characters, then they round-trip', async () => {
      const names = [
        'a',
        'a/b',
        'a/b/c d.txt',
        'ünï/çødé ✓.txt',
        'q?x=1&y#z%20.txt',
        '.hidden/..dots',
        "it's (1)*!.txt",
      ];
      for (const name of names) await store.upload(ref(`names/${name}`), text(name));
      for (const name of names)
        expect((await store.downloadBuffer(ref(`names/${name}`))).toString()).toBe(name);
      const listed = await store.list(container, { prefix: 'names/', pageSize: 100 });
      expect(listed.items.map((i) => i.name).sort()).toEqual(names.map((n) => `names/${n}`).sort());
    });

    it('when listing with a prefix and a page size, then pages follow in name order with a continuation', async () => {
      const names = Array.from({ length: 7 }, (_, i) => `list/item-${String(i).padStart(2, '0')}`);
      for (const name of names)
        await store.upload(ref(name), text(name), { metadata: { n: name.slice(-2) } });
      await store.upload(ref('listing-not-me'), text('x'));
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(container, {
          prefix: 'list/',
          pageSize: 3,
          ...(token === undefined ? {} : { continuationToken: token }),
        });
        expect(page.items.length).toBeLessThanOrEqual(3);
        for (const item of page.items) {
          expect(item.size).toBe(item.name.length);
          expect(item.metadata).toEqual({ n: item.name.slice(-2) });
          expect(item.etag).not.toBe('');
        }
        seen.push(...page.items.map((i) => i.name));
        token = page.continuationToken;
        pages++;
      } while (token !== undefined && pages < 10);
      expect(seen).toEqual(names);
      expect(pages).toBe(3);
    });

    it('when listing a container never written, then the page is empty', async () => {
      const page = await store.list(`never-${randomUUID().slice(0, 8)}`);
      expect(page).toEqual({ items: [] });
    });

    it('when a streamed upload fails part-way, then nothing is stored and an older version survives', async () => {
      const failing = () =>
        new Readable({
          read() {
            this.push(Buffer.alloc(64 * 1024, 1));
            this.destroy(new Error('client went away'));
          },
        });
      await expect(store.upload(ref('partial.bin'), failing())).rejects.toThrow();
      expect(await store.exists(ref('partial.bin'))).toBe(false);
      await store.upload(ref('kept.bin'), text('original'));
      await expect(store.upload(ref('kept.bin'), failing())).rejects.toThrow();
      expect((await store.downloadBuffer(ref('kept.bin'))).toString()).toBe('original');
    });

    it.each([
      ['ab', 'Container name must be 3-63'],
      ['Upper', 'lowercase letters, digits and hyphens'],
      ['a--b', 'no consecutive hyphens'],
      ['-ab', 'start and end with a letter or digit'],
    ])('when the container name is %j, then 400 naming the rule', async (bad, rule) => {
      const error = await expectAppError(store.upload({ container: bad, name: 'x' }, text('x')), 400);
      expect(error.message).toContain(rule);
      await expectAppError(store.list(bad), 400);
    });

    it.each([
      ['empty', '', '1-1024 characters'],
      ['1025 chars', 'x'.repeat(1025), '1-1024 characters'],
      ['a control char', 'bad\u0001name', 'control characters'],
      ['a lone surrogate', 'bad\udfffname', 'lone surrogates'],
      ['ending in a dot', 'ends.', 'must not end with a dot or a slash'],
      ['ending in a slash', 'ends/', 'must not end with a dot or a slash'],
      ['climbing with ..', 'a/../../etc/passwd', '".." path segments'],
      ['255 segments', Array.from({ length: 255 }, () => 'x').join('/'), 'at most 254 path segments'],
    ])('when the blob name is %s, then 400 naming the rule before any I/O', async (_label, bad, rule) => {
      for (const call of [
        () => store.upload(ref(bad), text('x')),
        () => store.head(ref(bad)),
        () => store.download(ref(bad)),
        () => store.delete(ref(bad)),
        () => store.sasUrl(ref(bad), { permissions: 'r', expiresInSeconds: 60 }),
      ]) {
        const error = await expectAppError(call(), 400);
        expect(error.message).toContain(rule);
      }
    });

    it('when metadata keys are not identifiers, then 400', async () => {
      await expectAppError(store.upload(ref('meta.txt'), text('x'), { metadata: { 'bad-key': 'v' } }), 400);
    });

    it('when a SAS link is asked for, then it names the blob, carries a signature and its expiry', async () => {
      await store.upload(ref('sas/file name.txt'), text('signed'));
      const before = Date.now();
      const link = await store.sasUrl(ref('sas/file name.txt'), { permissions: 'r', expiresInSeconds: 3600 });
      const url = new URL(link.url);
      expect(decodeURIComponent(url.pathname)).toContain('sas/file name.txt');
      expect(url.searchParams.get('sig')).toBeTruthy();
      expect(url.searchParams.get('sp')).toBe('r');
      expect(link.permissions).toBe('r');
      expect(link.expiresOn.getTime()).toBeGreaterThan(before + 3_598_000);
      expect(link.expiresOn.getTime()).toBeLessThanOrEqual(before + 3_601_000);
      await expectAppError(
        store.sasUrl(ref('sas/file name.txt'), { permissions: 'rx', expiresInSeconds: 60 }),
        400,
      );
      await expectAppError(
        store.sasUrl(ref('sas/file name.txt'), { permissions: 'r', expiresInSeconds: 0 }),
        400,
      );
    });

    it('when url is asked for, then it addresses the blob', () => {
      expect(decodeURIComponent(store.url(ref('dir/a b.txt')))).toContain('dir/a b.txt');
    });

    it('when pinged, then it resolves', async () => {
      await store.ping(container, AbortSignal.timeout(5000));
    });
  });
}
