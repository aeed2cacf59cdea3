// The RateLimitStore contract, one suite run against the memory driver and the Redis driver (the
// local server, keys under a prefix of this file's own): fixed windows per key, opened by the
// first hit, counted atomically, and started again once the window has passed.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/http/memory-rate-limit-store.js';
import type { RateLimitStore } from '../../src/http/rate-limit-store.js';
import { createRedisRateLimitStore } from '../../src/http/redis-rate-limit-store.js';
import { available, services } from '../helpers/services.js';

const hit = (store: RateLimitStore, key: string, windowMs: number) =>
  new Promise<{ count: number; ttlMs: number }>((resolve, reject) => {
    store.hit(key, windowMs, (error, count, ttlMs) => (error ? reject(error) : resolve({ count, ttlMs })));
  });

const redisUp = await available('redis');
const prefix = `test:rate-limit:${randomUUID()}:`;
const redis = redisUp ? new Redis(services.redis.url) : undefined;
// The rate-limit connection of roles/ sends its commands auto-pipelined (redis-options.ts).
const pipelined = redisUp ? new Redis(services.redis.url, { enableAutoPipelining: true }) : undefined;
afterAll(async () => {
  if (redis === undefined) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await pipelined?.quit();
});

const drivers: Array<[string, () => RateLimitStore]> = [
  ['memory', () => createMemoryRateLimitStore()],
  ...(redis === undefined || pipelined === undefined
    ? []
    : ([
        ['redis', () => createRedisRateLimitStore({ redis, keyPrefix: prefix })],
        ['redis, auto-pipelined', () => createRedisRateLimitStore({ redis: pipelined, keyPrefix: prefix })],
      ] as Array<[string, () => RateLimitStore]>)),
];

describe.each(drivers)('RateLimitStore contract: %s', (_name, make) => {
  const key = () => `client-${randomUUID()}`;

  it('when a key is hit in one window, then the count rises by one each time and the window does not move', async () => {
    const store = make();
    const k = key();
    const first = await hit(store, k, 60_000);
    expect(first).toEqual({ count: 1, ttlMs: 60_000 });
    const second = await hit(store, k, 60_000);
    expect(second.count).toBe(2);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(60_000);
    expect((await hit(store, k, 60_000)).count).toBe(3);
  });

  it('when keys differ, then each has its own count', async () => {
    const store = make();
    const [a, b] = [key(), key()];
    await hit(store, a, 60_000);
    await hit(store, a, 60_000);
    expect((await hit(store, b, 60_000)).count).toBe(1);
    expect((await hit(store, a, 60_000)).count).toBe(3);
  });

  it('when many hits arrive at once, then none is lost', async () => {
    const store = make();
    const k = key();
    const counts = await Promise.all(Array.from({ length: 50 }, () => hit(store, k, 60_000)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('when the window has passed, then counting starts again at one', async () => {
    const store = make();
    const k = key();
    await hit(store, k, 50);
    await hit(store, k, 50);
    await expect.poll(async () => (await hit(store, k, 50)).count, { interval: 60, timeout: 5000 }).toBe(1);
  });
});

describe('the memory store', () => {
  it('when it holds its most keys, then a new key drops the oldest window and is still counted', () => {
    let now = 1_000;
    const store = createMemoryRateLimitStore({ maxKeys: 2, now: () => now });
    const counts: number[] = [];
    const record = (k: string) => store.hit(k, 60_000, (_error, count) => counts.push(count));
    record('a');
    record('a');
    record('b');
    now += 1;
    record('c');
    // `a` was dropped for `c`; `b` is still counting.
    record('b');
    record('a');
    expect(counts).toEqual([1, 2, 1, 1, 2, 1]);
  });

  it('when expired windows fill it, then they are swept before any open one is dropped', () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ maxKeys: 2, now: () => now });
    const counts: number[] = [];
    const record = (k: string, windowMs: number) =>
      store.hit(k, windowMs, (_error, count) => counts.push(count));
    record('short', 10);
    record('long', 60_000);
    now = 20;
    record('new', 60_000);
    record('long', 60_000);
    expect(counts).toEqual([1, 1, 1, 2]);
  });

  it('when keys flood in within a second of a sweep, then the oldest are dropped without sweeping again', () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ maxKeys: 2, now: () => now });
    const counts: number[] = [];
    const record = (k: string, windowMs: number) =>
      store.hit(k, windowMs, (_error, count) => counts.push(count));
    record('a', 60_000);
    record('b', 60_000);
    record('c', 60_000); // full: sweeps (nothing has expired), then drops a
    record('short', 10); // full again: drops b
    now = 500;
    // `short` has expired, but the last sweep was under a second ago: the oldest open window (c)
    // is dropped instead of sweeping the whole map again.
    record('d', 60_000);
    record('c', 60_000);
    expect(counts).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('when the clock passes the window, then the key opens a new one with the full window left', () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ now: () => now });
    const seen: Array<[number, number]> = [];
    const record = () => store.hit('k', 1000, (_error, count, ttl) => seen.push([count, ttl]));
    record();
    now = 400;
    record();
    now = 1000;
    record();
    expect(seen).toEqual([
      [1, 1000],
      [2, 600],
      [1, 1000],
    ]);
  });
});

describe.runIf(redisUp)('the Redis store', () => {
  it('when Redis holds the counter, then another instance’s store counts on the same window', async () => {
    const k = `client-${randomUUID()}`;
    const one = createRedisRateLimitStore({ redis: redis as Redis, keyPrefix: prefix });
    const other = new Redis(services.redis.url);
    try {
      const two = createRedisRateLimitStore({ redis: other, keyPrefix: prefix });
      await hit(one, k, 60_000);
      expect((await hit(two, k, 60_000)).count).toBe(2);
    } finally {
      await other.quit();
    }
  });

  it('when a counter has lost its expiry, then the next hit gives it the window again', async () => {
    const k = `client-${randomUUID()}`;
    await (redis as Redis).set(`${prefix}${k}`, '7');
    const result = await hit(
      createRedisRateLimitStore({ redis: redis as Redis, keyPrefix: prefix }),
      k,
      60_000,
    );
    expect(result).toEqual({ count: 8, ttlMs: 60_000 });
    expect(await (redis as Redis).pttl(`${prefix}${k}`)).toBeGreaterThan(0);
  });

  it('when Redis cannot be reached, then the hit calls back with an error', async () => {
    const down = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const store = createRedisRateLimitStore({ redis: down, keyPrefix: prefix });
    await expect(hit(store, 'anyone', 60_000)).rejects.toThrow();
    down.disconnect();
  });
});
