// The cache contract on Redis, and what happens when the connection drops mid-use.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RedisCache } from '../../../src/platform/cache/redis-cache.js';
import { createRedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { services, available } from '../../helpers/services.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { contractPolicy, describeCacheContract } from './cache-contract.js';

const redisUp = await available('redis');

async function cleanupPrefix(prefix: string): Promise<void> {
  const admin = new Redis({ host: services.redis.host, port: services.redis.port, db: 0 });
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}

describe.runIf(redisUp)('redis cache', () => {
  describeCacheContract('redis', () => {
    const keyPrefix = uniquePrefix('cache-contract');
    const connections = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
    const make = async () => {
      const client = connections.connect('cache');
      await new Promise((resolve) => client.once('ready', resolve));
      return new RedisCache({ ...contractPolicy, keyPrefix }, { logger: silentLogger(), client });
    };
    return Promise.resolve({
      make,
      makePeer: make,
      async cleanup() {
        await connections.close();
        await cleanupPrefix(keyPrefix);
      },
    });
  });

  describe('when the connection to Redis is cut mid-use', () => {
    const keyPrefix = uniquePrefix('cache-fault');
    afterAll(() => cleanupPrefix(keyPrefix));

    it('then reads fall through to loaders, health says degraded, and the client recovers by itself', async () => {
      const proxy = await startTcpProxy({ host: services.redis.host, port: services.redis.port });
      const connections = createRedisConnections(testRedisOptions({ port: proxy.port }), {
        logger: silentLogger(),
      });
      const client = connections.connect('cache');
      await new Promise((resolve) => client.once('ready', resolve));
      const metrics = new Registry();
      const cache = new RedisCache(
        { ...contractPolicy, keyPrefix },
        { logger: silentLogger(), client, metrics },
      );
      const direct = new Redis({ host: services.redis.host, port: services.redis.port, db: 0 });
      try {
        await cache.set('a', 'cached');
        await cache.set('b', 'cached');
        expect(await cache.getOrLoad('a', () => Promise.resolve('loaded'))).toBe('cached');

        proxy.cut();
        await vi.waitFor(() => expect(client.status).not.toBe('ready'));
        let loads = 0;
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            cache.getOrLoad(`k${i}`, () => {
              loads += 1;
              return Promise.resolve(`loaded-${i}`);
            }),
          ),
        );
        expect(results).toEqual(['loaded-0', 'loaded-1', 'loaded-2', 'loaded-3', 'loaded-4']);
        expect(loads).toBe(5);
        expect(await cache.getOrLoad('a', () => Promise.resolve('loaded'))).toBe('loaded');
        await cache.set('c', 'not stored');
        // A delete during the outage is remembered...
        await cache.delete('b');
        expect(cache.pendingInvalidations).toBe(1);
        const health = await cache.check.check(AbortSignal.timeout(2000));
        expect(health.status).toBe('degraded');
        const errors = await metrics.getSingleMetricAsString('azimuth_cache_requests_total');
        expect(errors).toMatch(/result="error"} [1-9]/);

        proxy.restore();
        await vi.waitFor(() => expect(client.status).toBe('ready'), { timeout: 10_000 });
        // ...and replayed on reconnect, so the old value cannot come back.
        await vi.waitFor(async () => expect(await direct.exists(`${keyPrefix}v:b`)).toBe(0));
        expect(cache.pendingInvalidations).toBe(0);
        expect(await cache.get('a')).toBe('cached');
        expect((await cache.check.check(AbortSignal.timeout(2000))).status).toBe('healthy');
      } finally {
        await cache.close();
        await connections.close();
        await direct.quit();
        await proxy.close();
      }
    });
  });

  describe('when an invalidation fails while Redis still answers (a reply timed out)', () => {
    const keyPrefix = uniquePrefix('cache-pending');
    afterAll(() => cleanupPrefix(keyPrefix));

    it('then what it covers is never served from Redis until it is replayed, and the next read replays it', async () => {
      const connections = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
      const client = connections.connect('cache');
      await new Promise((resolve) => client.once('ready', resolve));
      const cache = new RedisCache({ ...contractPolicy, keyPrefix }, { logger: silentLogger(), client });
      const direct = new Redis({ host: services.redis.host, port: services.redis.port, db: 0 });
      try {
        await cache.set('list:a', 'old');
        await cache.set('other', 'kept');
        // No reconnect follows this failure, so no 'ready' event will replay it.
        vi.spyOn(client, 'unlink').mockRejectedValueOnce(new Error('Command timed out'));
        await cache.deleteByPrefix('list:');
        expect(cache.pendingInvalidations).toBe(1);
        expect(await direct.get(`${keyPrefix}v:list:a`)).toBe('"old"');

        // The old value is still in Redis, but a read covered by the failed delete is a miss...
        expect(await cache.getOrLoad('list:a', () => Promise.resolve('fresh'))).toBe('fresh');
        // ...that also replays the delete (a key outside it is served as usual).
        expect(await cache.get('other')).toBe('kept');
        await vi.waitFor(() => expect(cache.pendingInvalidations).toBe(0));
        expect(await direct.get(`${keyPrefix}v:list:a`)).not.toBe('"old"');
        await cache.set('list:a', 'new');
        expect(await cache.get('list:a')).toBe('new');
      } finally {
        vi.restoreAllMocks();
        await cache.close();
        await connections.close();
        await direct.quit();
      }
    });
  });
});
