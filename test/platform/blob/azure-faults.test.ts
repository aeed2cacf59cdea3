// Failure behaviour against a real Azurite: an outage opens the breaker and calls fail fast
// with a typed error (→ 503), recovery closes it; injected statuses are retried or not, as
// counted at a fault-injecting proxy. Small policy settings, no timing assertions.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAzureBlobStore } from '../../../src/platform/blob/azure-blob-store.js';
import { withResilience } from '../../../src/platform/blob/resilient-blob-store.js';
import type { BlobStore } from '../../../src/platform/blob/blob-store.js';
import {
  createPolicy,
  isDependencyUnavailableError,
  isBreakerOpenError,
  type ResiliencePolicy,
} from '../../../src/platform/resilience/index.js';
import { devAccount, startAzurite, type Azurite } from '../../helpers/azurite.js';
import { expectAppError } from './blob-store-contract.js';

const connectionStringFor = (blobEndpoint: string) =>
  `DefaultEndpointsProtocol=http;AccountName=${devAccount.name};AccountKey=${devAccount.key};BlobEndpoint=${blobEndpoint}`;

function makeStore(connectionString: string, breaker = { threshold: 3, halfOpenAfterMs: 300 }) {
  const policy = createPolicy({
    name: 'storage',
    timeoutMs: 5_000,
    retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 },
    breaker,
  });
  const retries: unknown[] = [];
  policy.onRetry((event) => retries.push(event.error));
  const store = withResilience(
    createAzureBlobStore({
      auth: { kind: 'connection-string', connectionString },
      defaultContainer: 'faults',
    }),
    { policy },
  );
  return { store, policy, retries };
}

describe('when Azurite goes down and comes back', () => {
  let azurite: Azurite;
  let store: BlobStore;
  let policy: ResiliencePolicy;
  let retries: unknown[];
  const ref = { container: 'faults', name: 'outage.txt' };

  beforeAll(async () => {
    azurite = await startAzurite();
    ({ store, policy, retries } = makeStore(azurite.connectionString));
  });
  afterAll(async () => {
    await azurite.close();
  });

  it('then calls are retried, the breaker opens and fails fast with a 503-mapped error, and a probe after the half-open time closes it', async () => {
    await store.upload(ref, Buffer.from('before'));
    await azurite.stop();

    // Three attempts (1 + 2 retries) on a refused connection: the third failure opens the breaker.
    const outage = await store.head(ref).catch((error: unknown) => error);
    expect(retries.length).toBe(2);
    expect(policy.state).toBe('open');
    // The exhausted transient failure leaves the port as the outage error: 503, naming storage.
    expect(isDependencyUnavailableError(outage)).toBe(true);
    expect(outage).toMatchObject({ status: 503, dependency: 'storage', retryAfterSeconds: 5 });
    expect(isBreakerOpenError((outage as Error).cause)).toBe(false);

    const fast = await store.head(ref).catch((error: unknown) => error);
    expect(isBreakerOpenError((fast as Error).cause)).toBe(true);
    expect(retries.length).toBe(2); // failing fast: no attempt, no retry
    expect(fast).toMatchObject({ status: 503, dependency: 'storage' });
    expect((fast as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    await azurite.start();
    await vi.waitFor(() => expect(policy.openRemainingMs()).toBe(0), { timeout: 10_000, interval: 50 });
    // The probe: Azurite restarted empty, so the driver re-creates the container and uploads.
    await store.upload(ref, Buffer.from('after'));
    expect(policy.state).toBe('closed');
    expect((await store.downloadBuffer(ref)).toString()).toBe('after');
  });
});

describe('when a proxy injects failures in front of Azurite', () => {
  let azurite: Azurite;
  let proxy: Server;
  let store: BlobStore;
  /** Statuses to answer instead of forwarding, for requests matching the method. */
  const injections: { method: string; status: number }[] = [];
  const counts = new Map<string, number>();
  const count = (method: string, name: string) =>
    counts.get(`${method} /${devAccount.name}/proxied/${name}`) ?? 0;

  beforeAll(async () => {
    azurite = await startAzurite();
    proxy = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
      const key = `${req.method ?? ''} ${path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const index = injections.findIndex((i) => i.method === req.method);
      if (index >= 0) {
        const [injection] = injections.splice(index, 1);
        req.resume();
        const code = injection?.status === 409 ? 'LeaseIdMissing' : 'ServerBusy';
        res.writeHead(injection?.status ?? 500, { 'x-ms-error-code': code, 'content-length': '0' });
        res.end();
        return;
      }
      const upstream = request(
        {
          host: '127.0.0.1',
          port: azurite.blobPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (response: IncomingMessage) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    ({ store } = makeStore(connectionStringFor(`http://127.0.0.1:${port}/${devAccount.name}`), {
      threshold: 50,
      halfOpenAfterMs: 1000,
    }));
    await store.upload({ container: 'proxied', name: 'seed.txt' }, Buffer.from('seed'));
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await azurite.close();
  });

  it('then 503 and 500 on reads are retried until the real answer comes through', async () => {
    injections.push({ method: 'HEAD', status: 503 }, { method: 'HEAD', status: 500 });
    expect((await store.head({ container: 'proxied', name: 'seed.txt' })).size).toBe(4);
    expect(count('HEAD', 'seed.txt')).toBe(3);
  });

  it('then a 503 on a buffer upload is retried', async () => {
    injections.push({ method: 'PUT', status: 503 });
    await store.upload({ container: 'proxied', name: 'put.txt' }, Buffer.from('put'));
    expect(count('PUT', 'put.txt')).toBe(2);
    expect((await store.downloadBuffer({ container: 'proxied', name: 'put.txt' })).toString()).toBe('put');
  });

  it('then a real 404 is not retried', async () => {
    await expectAppError(store.head({ container: 'proxied', name: 'absent.txt' }), 404);
    expect(count('HEAD', 'absent.txt')).toBe(1);
  });

  it('then an injected 409 is not retried', async () => {
    injections.push({ method: 'DELETE', status: 409 });
    await expectAppError(store.delete({ container: 'proxied', name: 'seed.txt' }), 409);
    expect(count('DELETE', 'seed.txt')).toBe(1);
  });

  it('then retries stop once they are exhausted, with the outage error carrying the transient one', async () => {
    injections.push(
      { method: 'GET', status: 503 },
      { method: 'GET', status: 503 },
      { method: 'GET', status: 503 },
    );
    const error = await store
      .downloadBuffer({ container: 'proxied', name: 'seed.txt' })
      .catch((e: unknown) => e);
    // The server's 503 outlasted the retries: the port's outage error, the server's answer as its cause.
    expect(error).toMatchObject({ status: 503, dependency: 'storage' });
    expect(((error as Error).cause as { statusCode?: number }).statusCode).toBe(503);
    expect(count('GET', 'seed.txt')).toBe(3);
  });
});
