// The decorators every driver gets: instrumentation (logs, metrics, audit), SAS link reuse,
// per-user upload quotas and resilience; exercised over the disk driver and a flaky fake.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDiskBlobStore,
  withInstrumentation,
  withResilience,
  withSasCache,
  withUploadQuota,
  type BlobStore,
} from '../../../src/platform/blob/index.js';
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import {
  createPolicy,
  isBreakerOpenError,
  isDependencyUnavailableError,
} from '../../../src/platform/resilience/index.js';
import { requestContext } from '../../../src/platform/telemetry/request-context.js';
import { createArrayAuditLog, createCapturingLogger, createMapCache } from '../../helpers/fakes.js';
import { expectAppError } from './blob-store-contract.js';

const roots: string[] = [];
async function diskStore(now?: () => Date): Promise<{ store: BlobStore; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'azimuth-deco-'));
  roots.push(root);
  return {
    root,
    store: createDiskBlobStore({
      root,
      defaultContainer: 'files',
      signingKey: randomBytes(32),
      publicBaseUrl: 'http://api',
      ...(now === undefined ? {} : { now }),
    }),
  };
}
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const asUser = <T>(principalId: string, fn: () => Promise<T>) =>
  requestContext.run({ correlationId: `corr-${principalId}`, principalId, clientIp: '203.0.113.7' }, fn);
/** The caller's quota subject, as http/caller.ts gives it. */
const quotaOf = (principalId: string) => ({ quotaSubject: `user:${principalId}` });

const ref = (name: string) => ({ container: 'files', name });

describe('withInstrumentation', () => {
  it('when blobs are uploaded, downloaded and deleted, then it logs, counts and audits with the request context', async () => {
    const { store: disk } = await diskStore();
    const { logger, lines } = createCapturingLogger();
    const registry = new Registry();
    const audit = createArrayAuditLog();
    const store = withInstrumentation(disk, { logger, registry, audit });

    await asUser('ada', async () => {
      await store.upload(ref('a.txt'), Buffer.from('hello'), { contentType: 'text/plain' });
      const download = await store.download(ref('a.txt'));
      download.stream.resume();
      await new Promise((resolve) => download.stream.once('end', resolve));
      await store.sasUrl(ref('a.txt'), { permissions: 'r', expiresInSeconds: 60 });
      await store.delete(ref('a.txt'));
      await expect(store.head(ref('a.txt'))).rejects.toThrow('not found');
    });

    const upload = lines.find((l) => l.msg === 'blob upload');
    expect(upload).toMatchObject({
      level: 'info',
      correlationId: 'corr-ada',
      blob: { operation: 'upload', container: 'files', name: 'a.txt', bytes: 5 },
    });
    expect(typeof (upload?.blob as { durationMs: unknown }).durationMs).toBe('number');
    expect(lines.find((l) => l.msg === 'blob download')).toMatchObject({ blob: { bytes: 5 } });
    expect(lines.find((l) => l.msg === 'blob head refused')).toMatchObject({
      level: 'info',
      blob: { status: 404 },
    });

    const text = await registry.metrics();
    expect(text).toContain('blob_uploads_total 1');
    expect(text).toContain('blob_upload_bytes_total 5');
    expect(text).toContain('blob_downloads_total 1');
    expect(text).toContain('blob_download_bytes_total 5');
    expect(text).toContain('blob_errors_total{operation="head",status="404"} 1');
    expect(text).toMatch(/blob_operation_duration_seconds_count\{operation="upload",outcome="success"\} 1/);

    expect(audit.entries.map((e) => [e.operation, e.outcome, e.bytes])).toEqual([
      ['blob.upload', 'success', 5],
      ['blob.download', 'success', 5],
      ['blob.sas', 'success', null],
      ['blob.delete', 'success', null],
    ]);
    expect(audit.entries[0]).toMatchObject({
      actor: 'ada',
      clientIp: '203.0.113.7',
      correlationId: 'corr-ada',
      target: 'blob://files/a.txt',
    });
    expect(audit.entries[2]?.detail).toMatch(/^permissions=r expiresOn=/);
  });

  it('when an upload, a delete or a SAS link is acknowledged, then its audit record is already written (none waits in memory)', async () => {
    const { store: disk } = await diskStore();
    const { logger } = createCapturingLogger();
    const written: string[] = [];
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    // An audit log whose writes complete only when the test opens the gate.
    const audit = {
      async record(entry: { operation: string }) {
        await gate;
        written.push(entry.operation);
      },
    };
    const store = withInstrumentation(disk, { logger, registry: new Registry(), audit });
    for (const [operation, act] of [
      ['blob.upload', () => store.upload(ref('held.txt'), Buffer.from('x'))],
      ['blob.sas', () => store.sasUrl(ref('held.txt'), { permissions: 'r', expiresInSeconds: 60 })],
      ['blob.delete', () => store.delete(ref('held.txt'))],
    ] as const) {
      let acknowledged = false;
      const call = (act() as Promise<unknown>).then(() => (acknowledged = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(acknowledged, `${operation} acknowledged before its audit record was written`).toBe(false);
      open();
      await call;
      expect(written.at(-1)).toBe(operation);
      gate = new Promise<void>((resolve) => (open = resolve));
    }
  });

  it('when a storage call fails for a non-client reason, then it logs at ERROR and audits a failure', async () => {
    const { logger, lines } = createCapturingLogger();
    const registry = new Registry();
    const audit = createArrayAuditLog();
    const { store: disk } = await diskStore();
    const broken: BlobStore = {
      ...disk,
      upload: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
    };
    const store = withInstrumentation(broken, { logger, registry, audit });
    await expect(store.upload(ref('x'), Buffer.from('x'))).rejects.toThrow('disk full');
    expect(lines.find((l) => l.msg === 'blob upload failed')?.level).toBe('error');
    expect(audit.entries[0]).toMatchObject({
      operation: 'blob.upload',
      outcome: 'failure',
      detail: 'disk full',
    });
  });

  it('when a reader stops a download early, then it is recorded as a failure with the bytes sent', async () => {
    const { logger, lines } = createCapturingLogger();
    const { store: disk } = await diskStore();
    const store = withInstrumentation(disk, {
      logger,
      registry: new Registry(),
      audit: createArrayAuditLog(),
    });
    await store.upload(ref('big.bin'), Buffer.alloc(1024 * 1024, 7));
    const download = await store.download(ref('big.bin'));
    await new Promise<void>((resolve) => {
      download.stream.once('data', () => {
        download.stream.destroy();
        resolve();
      });
    });
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'blob download failed')).toBe(true));
  });
});

describe('withSasCache', () => {
  it('when the same link is asked for again, then it is reused until it nears expiry', async () => {
    let now = Date.parse('2026-05-01T00:00:00Z');
    const cache = createMapCache({ now: () => now });
    const { store: disk } = await diskStore(() => new Date(now));
    const sign = vi.spyOn(disk, 'sasUrl');
    const store = withSasCache(disk, { cache, minRemainingSeconds: 3600, now: () => new Date(now) });
    const ask = (permissions = 'r') =>
      store.sasUrl(ref('doc.pdf'), { permissions, expiresInSeconds: 86_400 });
    const first = await ask();
    now += 22 * 3_600_000;
    expect((await ask()).url).toBe(first.url);
    expect((await ask('rw')).url).not.toBe(first.url);
    now += 1 * 3_600_000 + 1000; // 23 h later: the cached link has under an hour left
    const renewed = await ask();
    expect(renewed.url).not.toBe(first.url);
    expect(sign).toHaveBeenCalledTimes(3);
  });

  it('when two links differ only where a name and a Content-Disposition meet, then neither is served for the other', async () => {
    const cache = createMapCache();
    const { store: disk } = await diskStore();
    const sign = vi.spyOn(disk, 'sasUrl');
    const store = withSasCache(disk, { cache, minRemainingSeconds: 3600 });
    const first = await store.sasUrl(ref('a:b'), {
      permissions: 'r',
      expiresInSeconds: 86_400,
      contentDisposition: 'c',
    });
    const second = await store.sasUrl(ref('a'), {
      permissions: 'r',
      expiresInSeconds: 86_400,
      contentDisposition: 'b:c',
    });
    expect(second.url).not.toBe(first.url);
    expect(sign).toHaveBeenCalledTimes(2);
    expect(cache.entries.size).toBe(2);
  });

  it('when a link is shorter than the reuse margin, then it is never cached', async () => {
    const cache = createMapCache();
    const { store: disk } = await diskStore();
    const store = withSasCache(disk, { cache, minRemainingSeconds: 3600 });
    await store.sasUrl(ref('doc.pdf'), { permissions: 'r', expiresInSeconds: 600 });
    expect(cache.entries.size).toBe(0);
  });
});

describe('withUploadQuota', () => {
  const mb = 1024 * 1024;
  let quotaStore: ReturnType<typeof createMemoryQuotaStore>;
  beforeEach(() => {
    quotaStore = createMemoryQuotaStore();
  });

  it('when a user stays under the quota, then uploads pass and are counted', async () => {
    const { store: disk } = await diskStore();
    const store = withUploadQuota(disk, { quota: quotaStore, limitBytes: 3 * mb });
    await store.upload(ref('one'), Buffer.alloc(mb), quotaOf('bob'));
    await store.upload(ref('two'), Readable.from([Buffer.alloc(mb)]), quotaOf('bob'));
    expect((await quotaStore.get('user:bob', { windowSeconds: 3600 })).used).toBe(2 * mb);
  });

  it('when a streamed upload would cross the quota, then it is refused with 429, nothing is stored and nothing is charged', async () => {
    const { store: disk, root } = await diskStore();
    const store = withUploadQuota(disk, { quota: quotaStore, limitBytes: 3 * mb });
    await store.upload(ref('first'), Buffer.alloc(2 * mb), quotaOf('cy'));
    const chunks = Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024)); // 2 MB
    const error = await expectAppError(
      store.upload(ref('second'), Readable.from(chunks), quotaOf('cy')),
      429,
    );
    expect((error as unknown as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(await disk.exists(ref('second'))).toBe(false);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect((await quotaStore.get('user:cy', { windowSeconds: 3600 })).used).toBe(2 * mb);
    // Another user is not affected.
    await store.upload(ref('third'), Buffer.alloc(2 * mb), quotaOf('dee'));
  });

  it('when the quota is already used up, then the next upload is refused before it starts', async () => {
    const { store: disk } = await diskStore();
    const upload = vi.spyOn(disk, 'upload');
    const store = withUploadQuota(disk, { quota: quotaStore, limitBytes: mb });
    await store.upload(ref('fill'), Buffer.alloc(mb), quotaOf('eve'));
    await expectAppError(store.upload(ref('more'), Readable.from([Buffer.alloc(1)]), quotaOf('eve')), 429);
    await expectAppError(store.upload(ref('more'), Buffer.alloc(1), quotaOf('eve')), 429);
    expect(upload).toHaveBeenCalledTimes(1);
  });

  it('when two instances share the quota store, then their uploads count together', async () => {
    const { store: disk1 } = await diskStore();
    const { store: disk2 } = await diskStore();
    const a = withUploadQuota(disk1, { quota: quotaStore, limitBytes: 3 * mb, reserveStepBytes: 64 * 1024 });
    const b = withUploadQuota(disk2, { quota: quotaStore, limitBytes: 3 * mb, reserveStepBytes: 64 * 1024 });
    await a.upload(ref('x'), Buffer.alloc(2 * mb), quotaOf('fay'));
    await expectAppError(
      b.upload(
        ref('y'),
        Readable.from(Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024))),
        quotaOf('fay'),
      ),
      429,
    );
  });

  it('when a stream is not a whole number of reserve steps, then exactly its bytes are charged', async () => {
    const step = 1000;
    const { store: disk } = await diskStore();
    const store = withUploadQuota(disk, { quota: quotaStore, limitBytes: mb, reserveStepBytes: step });
    /** `size` bytes in 333-byte chunks, so chunk and step boundaries never line up. */
    const stream = (size: number) =>
      Readable.from(
        Array.from({ length: Math.ceil(size / 333) }, (_, i) =>
          Buffer.alloc(Math.min(333, size - i * 333), i),
        ),
      );
    for (const size of [1, step - 1, step, step + 1, 3 * step + 7]) {
      const subject = `size-${size}`;
      const stored = await store.upload(ref(subject), stream(size), { quotaSubject: subject });
      expect(stored.size).toBe(size);
      expect((await quotaStore.get(subject, { windowSeconds: 3600 })).used, `${size} bytes`).toBe(size);
    }
  });

  it('when an upload names no quota subject, then it is exempt (internal jobs), whatever the request context', async () => {
    const { store: disk } = await diskStore();
    const store = withUploadQuota(disk, { quota: quotaStore, limitBytes: 1 });
    await asUser('gil', () => store.upload(ref('job-output'), Buffer.alloc(10)));
    expect((await quotaStore.get('user:gil', { windowSeconds: 3600 })).used).toBe(0);
  });
});

describe('withResilience', () => {
  const transient = () => Object.assign(new Error('server busy'), { statusCode: 503 });
  const policy = (threshold = 10) =>
    createPolicy({
      name: 'storage',
      timeoutMs: 5_000,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      breaker: { threshold, halfOpenAfterMs: 60_000 },
    });

  it('when a buffer upload meets a transient failure, then it is retried; a stream upload is not', async () => {
    const { store: disk } = await diskStore();
    const upload = vi
      .fn((...args: Parameters<BlobStore['upload']>) => disk.upload(...args))
      .mockRejectedValueOnce(transient());
    const store = withResilience({ ...disk, upload }, { policy: policy() });
    await store.upload(ref('buf'), Buffer.from('x'));
    expect(upload).toHaveBeenCalledTimes(2);

    upload.mockClear();
    upload.mockRejectedValueOnce(transient());
    await expect(store.upload(ref('stream'), Readable.from([Buffer.from('x')]))).rejects.toThrow(
      'storage is temporarily unavailable',
    );
    expect(upload).toHaveBeenCalledTimes(1);
  });

  it('when reads fail transiently, then head, list, download and delete are retried; a 404 is not', async () => {
    const { store: disk } = await diskStore();
    await disk.upload(ref('r.txt'), Buffer.from('r'));
    const head = vi
      .fn((...args: Parameters<BlobStore['head']>) => disk.head(...args))
      .mockRejectedValueOnce(transient());
    const list = vi
      .fn((...args: Parameters<BlobStore['list']>) => disk.list(...args))
      .mockRejectedValueOnce(transient());
    const download = vi
      .fn((...args: Parameters<BlobStore['download']>) => disk.download(...args))
      .mockRejectedValueOnce(transient());
    const del = vi
      .fn((...args: Parameters<BlobStore['delete']>) => disk.delete(...args))
      .mockRejectedValueOnce(transient());
    const store = withResilience({ ...disk, head, list, download, delete: del }, { policy: policy() });
    expect((await store.head(ref('r.txt'))).size).toBe(1);
    expect((await store.list('files')).items).toHaveLength(1);
    expect((await store.download(ref('r.txt'))).contentLength).toBe(1);
    expect(await store.delete(ref('r.txt'))).toBe(true);
    for (const fn of [head, list, download, del]) expect(fn).toHaveBeenCalledTimes(2);
    head.mockClear();
    await expectAppError(store.head(ref('r.txt')), 404);
    expect(head).toHaveBeenCalledTimes(1);
  });

  it('when the breaker is open, then calls fail fast with the outage error without reaching the driver', async () => {
    const { store: disk } = await diskStore();
    const head = vi.fn(() => Promise.reject(transient()));
    const store = withResilience({ ...disk, head }, { policy: policy(2) });
    await expect(store.head(ref('x'))).rejects.toSatisfy(isDependencyUnavailableError);
    head.mockClear();
    await expect(store.head(ref('x'))).rejects.toSatisfy(
      (error: unknown) => isDependencyUnavailableError(error) && isBreakerOpenError(error.cause),
    );
    expect(head).not.toHaveBeenCalled();
  });
});
