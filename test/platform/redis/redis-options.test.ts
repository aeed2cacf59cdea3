// How settings become ioredis options: TLS for Azure, a database per purpose, fail-fast commands.
import { describe, expect, it } from 'vitest';
import {
  ioredisOptions,
  reconnectDelay,
  redisOptionsFromSettings,
} from '../../../src/platform/redis/redis-options.js';
import type { Settings } from '../../../src/platform/config/settings-schema.js';

const base = {
  REDIS_PORT: 6379,
  REDIS_SSL: false,
  REDIS_CONNECT_TIMEOUT_MS: 5000,
  REDIS_DB_CACHE: 0,
  REDIS_DB_EVENTS: 1,
  REDIS_DB_JOBS: 2,
  REDIS_DB_RATE_LIMIT: 3,
} as unknown as Settings;

describe('redis options', () => {
  it('when neither REDIS_URL nor REDIS_HOST is set, then there is no Redis (embedded drivers)', () => {
    expect(redisOptionsFromSettings(base)).toBeUndefined();
  });

  it('when REDIS_URL is rediss:// on 6380, then TLS verifies the host and the purpose picks the database', () => {
    const options = redisOptionsFromSettings({
      ...base,
      REDIS_URL: 'rediss://:s%40cret@azimuth.redis.cache.windows.net:6380/0',
    });
    expect(options).toBeDefined();
    if (options === undefined) return;
    const events = ioredisOptions(options, 'events', 'command');
    expect(events).toMatchObject({
      host: 'azimuth.redis.cache.windows.net',
      port: 6380,
      password: 's@cret',
      tls: { servername: 'azimuth.redis.cache.windows.net' },
      db: 1,
      enableOfflineQueue: false,
      connectTimeout: 5000,
    });
    expect(ioredisOptions(options, 'rateLimit', 'command')).toMatchObject({
      db: 3,
      enableAutoPipelining: true,
    });
    expect(events.enableAutoPipelining).toBeUndefined();
    expect(ioredisOptions(options, 'jobs', 'bullmq')).toMatchObject({ db: 2, maxRetriesPerRequest: null });
  });

  it('when REDIS_HOST, REDIS_PASSWORD and REDIS_SSL are set, then they are used', () => {
    const options = redisOptionsFromSettings({
      ...base,
      REDIS_HOST: 'cache.internal',
      REDIS_PORT: 6380,
      REDIS_PASSWORD: 'key',
      REDIS_SSL: true,
    });
    if (options === undefined) throw new Error('expected options');
    expect(ioredisOptions(options, 'cache', 'command')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      password: 'key',
      tls: { servername: 'cache.internal' },
      db: 0,
    });
    expect(ioredisOptions(options, 'cache', 'command').tls).toBeDefined();
    expect(ioredisOptions({ ...options, tls: false }, 'cache', 'command').tls).toBeUndefined();
  });

  it('when REDIS_URL is Azure Managed Redis (rediss:// on 10000) in single mode, then TLS and database 0 for every purpose', () => {
    const options = redisOptionsFromSettings({
      ...base,
      REDIS_URL: 'rediss://:key@azimuth.westeurope.redis.azure.net:10000',
      REDIS_DATABASE_MODE: 'single',
    });
    if (options === undefined) throw new Error('expected options');
    for (const purpose of ['cache', 'events', 'jobs', 'rateLimit'] as const) {
      expect(ioredisOptions(options, purpose, 'bullmq')).toMatchObject({
        host: 'azimuth.westeurope.redis.azure.net',
        port: 10000,
        tls: { servername: 'azimuth.westeurope.redis.azure.net' },
        db: 0,
      });
    }
  });

  it('when reconnecting, then the delay grows and is capped', () => {
    expect(reconnectDelay(1, 2000)).toBeLessThan(200);
    expect(reconnectDelay(30, 2000)).toBeLessThanOrEqual(2100);
    expect(reconnectDelay(30, 2000)).toBeGreaterThanOrEqual(2000);
  });
});
