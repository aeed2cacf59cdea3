// Contract for the Cache port: every driver must behave the same for reads, writes, TTLs,
// invalidation and single-flight loading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedCache } from '../../../src/platform/cache/base-cache.js';

export type TestCache = ManagedCache & { ttlOf(key: string): Promise<number | undefined> };

export interface CacheFixture {
  /** Policy: default TTL 300, popular TTL 3600, threshold 3 reads, window 3600 s. */
  make(): Promise<TestCache>;
  /** A second instance sharing the same backend (another API process), when the driver has one. */
  makePeer?: () => Promise<TestCache>;
  cleanup(): Promise<void>;
}

export const contractPolicy = {
  defaultTtlSeconds: 300,
  popularTtlSeconds: 3600,
  popularityThreshold: 3,
  popularityWindowSeconds: 3600,
  maxEntries: 1000,
};

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function describeCacheContract(driver: string, setup: () => Promise<CacheFixture>): void {
  describe(`cache contract (${driver})`, () => {
    let fixture: CacheFixture;
    let cache: TestCache;
    beforeAll(async () => {
      fixture = await setup();
      cache = await fixture.make();
    });
    afterAll(async () => {
      await cache.close();
      await fixture.cleanup();
    });

    it('when a key was never set, then get is a miss', async () => {
      expect(await cache.get('absent')).toBeUndefined();
      expect(cache.driver).toBe(driver);
      expect((await cache.check.check(AbortSignal.timeout(2000))).status).toBe('healthy');
    });

    it('when a value is set, then get returns an equal copy, not the same object', async () => {
      const value = { name: 'Vega', tags: ['bright'], n: 1.5, nested: { ok: true } };
      await cache.set('star:1', value);
      const read = await cache.get<typeof value>('star:1');
      expect(read).toEqual(value);
      expect(read).not.toBe(value);
    });

    it('when set with a TTL, then that TTL applies; without one, the default TTL does', async () => {
      await cache.set('ttl:explicit', 1, 42);
      expect(await cache.ttlOf('ttl:explicit')).toBeGreaterThanOrEqual(41);
      expect(await cache.ttlOf('ttl:explicit')).toBeLessThanOrEqual(42);
      await cache.set('ttl:default', 1);
      expect(await cache.ttlOf('ttl:default')).toBeGreaterThanOrEqual(299);
      expect(await cache.ttlOf('ttl:default')).toBeLessThanOrEqual(300);
    });

    it('when a key is read at least the threshold within the window, then it is stored with the popular TTL', async () => {
      for (let i = 0; i < 3; i += 1) await cache.get('hot');
      await cache.set('hot', 'value');
      expect(await cache.ttlOf('hot')).toBeGreaterThan(3000);
      for (let i = 0; i < 2; i += 1) await cache.get('lukewarm');
      await cache.set('lukewarm', 'value');
      expect(await cache.ttlOf('lukewarm')).toBeLessThanOrEqual(300);
    });

    it('when getOrLoad misses, then the popular TTL also applies to what it stores', async () => {
      for (let i = 0; i < 3; i += 1) await cache.get('hot-load');
      await cache.getOrLoad('hot-load', () => Promise.resolve('x'));
      expect(await cache.ttlOf('hot-load')).toBeGreaterThan(3000);
    });

    it('when deleted, then the key is a miss', async () => {
      await cache.set('gone', 'x');
      await cache.delete('gone');
      expect(await cache.get('gone')).toBeUndefined();
      await cache.delete('never-there');
    });

    it('when deleted by prefix, then only keys with that literal prefix go', async () => {
      await cache.set('user:1:a', 1);
      await cache.set('user:1:b', 2);
      await cache.set('user:10:a', 3);
      await cache.set('user:*:x', 4);
      await cache.set('user:2:a', 5);
      await cache.deleteByPrefix('user:1:');
      expect(await cache.get('user:1:a')).toBeUndefined();
      expect(await cache.get('user:1:b')).toBeUndefined();
      expect(await cache.get('user:10:a')).toBe(3);
      await cache.deleteByPrefix('user:*');
      expect(await cache.get('user:*:x')).toBeUndefined();
      expect(await cache.get('user:2:a')).toBe(5);
    });

    it('when many callers miss the same key at once, then the loader runs once and all get its value', async () => {
      let calls = 0;
      const gate = deferred<{ id: number }>();
      const started = deferred<undefined>();
      const loader = () => {
        calls += 1;
        started.resolve(undefined);
        return gate.promise;
      };
      const first = Array.from({ length: 25 }, () => cache.getOrLoad('flight', loader));
      await started.promise;
      // Callers arriving while the loader runs join it too.
      const later = Array.from({ length: 25 }, () => cache.getOrLoad('flight', loader));
      const all = Promise.all([...first, ...later]);
      gate.resolve({ id: 7 });
      const results = await all;
      expect(calls).toBe(1);
      expect(results.every((r) => r.id === 7)).toBe(true);
      expect(await cache.getOrLoad('flight', () => Promise.resolve({ id: 8 }))).toEqual({ id: 7 });
    });

    it('when the loader throws, then the error reaches the caller and nothing is cached', async () => {
      await expect(cache.getOrLoad('failing', () => Promise.reject(new Error('db down')))).rejects.toThrow(
        'db down',
      );
      expect(await cache.getOrLoad('failing', () => Promise.resolve('recovered'))).toBe('recovered');
    });

    it('when a key is deleted while its load is in flight, then the loaded (stale) value is not stored', async () => {
      const gate = deferred<string>();
      const started = deferred<undefined>();
      const load = cache.getOrLoad('racing', () => {
        started.resolve(undefined);
        return gate.promise;
      });
      await started.promise;
      await cache.delete('racing');
      gate.resolve('before-the-write');
      expect(await load).toBe('before-the-write');
      expect(await cache.get('racing')).toBeUndefined();
    });

    it('when the loader returns undefined, then nothing is stored', async () => {
      const nothing: string | undefined = await cache.getOrLoad('nothing', () =>
        Promise.resolve<string | undefined>(undefined),
      );
      expect(nothing).toBeUndefined();
      expect(await cache.getOrLoad('nothing', () => Promise.resolve('now'))).toBe('now');
    });

    it('when another instance deletes a key, then this instance does not serve it stale', async (ctx) => {
      if (fixture.makePeer === undefined) {
        ctx.skip(); // The memory driver only exists in single-process (embedded) mode.
        return;
      }
      const peer = await fixture.makePeer();
      try {
        await cache.set('shared', 'v1');
        expect(await peer.get('shared')).toBe('v1');
        await peer.delete('shared');
        expect(await cache.get('shared')).toBeUndefined();
        await peer.set('shared', 'v2');
        expect(await cache.getOrLoad('shared', () => Promise.resolve('v-loader'))).toBe('v2');
      } finally {
        await peer.close();
      }
    });
  });
}
