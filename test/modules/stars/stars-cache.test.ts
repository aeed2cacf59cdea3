// The stars read cache on Redis, shared by two app instances over one store: a write on one is
// what the other reads next, and TTLs follow the cache's popularity rule (none given by the module).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKeys } from '../../../src/modules/stars/stars-service.js';
import { cacheOptionsFromSettings } from '../../../src/platform/cache/cache-options.js';
import { RedisCache } from '../../../src/platform/cache/redis-cache.js';
import { createRedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { available, services } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { testSettings } from '../../helpers/test-settings.js';
import { buildTestApp } from '../../helpers/test-app.js';
import { pgliteFixture } from './helpers/store-fixtures.js';

const redisUp = await available('redis');
const fixture = pgliteFixture();

describe.runIf(redisUp)('stars cache on Redis across instances', () => {
  beforeAll(() => fixture.start());
  afterAll(() => fixture.stop());

  it('when one instance writes, then the other reads the change, and TTLs are the default then the popular one', async () => {
    const keyPrefix = uniquePrefix('stars-cache');
    const env = { REDIS_CACHE_TTL: '300', REDIS_POPULAR_CACHE_TTL: '3600', REDIS_POPULARITY_THRESHOLD: '3' };
    const options = { ...cacheOptionsFromSettings(await testSettings(env)), keyPrefix };
    const connections = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
    const admin = new Redis({ host: services.redis.host, port: services.redis.port, db: 0 });
    const cacheOf = async () => {
      const client = connections.connect('cache');
      await new Promise((resolve) => client.once('ready', resolve));
      return new RedisCache(options, { logger: silentLogger(), client });
    };
    const store = await fixture.make();
    const a = await buildTestApp({ modules: ['stars'], stars: { store }, cache: await cacheOf(), env });
    const b = await buildTestApp({ modules: ['stars'], stars: { store }, cache: await cacheOf(), env });
    try {
      const owner = await store.createUser({ name: 'Owner' });
      const fan = await store.createUser({ name: 'Fan' });
      const star = await store.createStar({ userId: owner.id, name: 'Vega', ra: 1, dec: 2 });
      const ttl = () => admin.ttl(`${keyPrefix}v:${cacheKeys.star(star.id)}`);

      expect((await a.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 0 });
      expect(await ttl()).toBeGreaterThan(250);
      expect(await ttl()).toBeLessThanOrEqual(300);
      await a.app.inject('/stars/popular');

      const liked = await b.app.inject({
        method: 'POST',
        url: `/stars/${star.id}/like`,
        payload: { userId: fan.id },
      });
      expect(liked.statusCode).toBe(200);
      expect(await ttl()).toBe(-2); // gone
      expect((await a.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 1 });
      expect((await a.app.inject('/stars/popular')).json()).toMatchObject({
        items: [{ id: star.id, likes: 1 }],
      });

      // Reads by both instances count towards one popularity window: past the threshold, the
      // next store of the key gets the popular TTL.
      await b.app.inject(`/stars/${star.id}`);
      await a.app.inject(`/stars/${star.id}`);
      await b.app.inject({ method: 'POST', url: `/stars/${star.id}/like`, payload: { userId: owner.id } });
      expect((await a.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 2 });
      expect(await ttl()).toBeGreaterThan(3000);
    } finally {
      await a.close();
      await b.close();
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
      await connections.close();
    }
  });
});
