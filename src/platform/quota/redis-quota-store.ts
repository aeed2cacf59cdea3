// QuotaStore on Redis, shared by every instance: one key per subject per window, INCRBY to count
// and EXPIRE so a window's key disappears once it can no longer matter. While Redis is down the
// quota cannot be checked, so an upload fails fast as an outage (503 + Retry-After), never a 500.
import type { Redis } from 'ioredis';
import { redisKeyPrefixes } from '../redis/redis-key-prefixes.js';
import { translatingRedisOutages } from '../redis/redis-outage.js';
import { windowBounds, type QuotaStore } from './quota-store.js';

export interface RedisQuotaStoreOptions {
  redis: Redis;
  /** Namespaces the keys; default `azimuth:quota:` (redis-key-prefixes.ts). */
  keyPrefix?: string;
  now?: () => Date;
}

export function createRedisQuotaStore(options: RedisQuotaStoreOptions): QuotaStore {
  const now = options.now ?? (() => new Date());
  const prefix = options.keyPrefix ?? redisKeyPrefixes.quota;
  const keyOf = (key: string, windowStart: Date) =>
    `${prefix}${key}:${Math.floor(windowStart.getTime() / 1000)}`;

  const store: QuotaStore = {
    async add(key, amount, window) {
      const bounds = windowBounds(window.at ?? now(), window.windowSeconds);
      const redisKey = keyOf(key, bounds.windowStart);
      // Expire a minute after the window ends, so clock skew between instances cannot reset a count
      // early. Relative (EXPIRE, not EXPIREAT) so it follows our clock, not Redis's.
      const ttl = Math.max(1, Math.ceil((bounds.resetAt.getTime() - now().getTime()) / 1000)) + 60;
      const results = await options.redis.multi().incrby(redisKey, amount).expire(redisKey, ttl).exec();
      const [incr] = results ?? [];
      if (incr === undefined || incr[0] !== null) throw incr?.[0] ?? new Error('Redis quota update failed');
      return { ...bounds, used: Number(incr[1]) };
    },
    async get(key, window) {
      const bounds = windowBounds(window.at ?? now(), window.windowSeconds);
      const value = await options.redis.get(keyOf(key, bounds.windowStart));
      return { ...bounds, used: value === null ? 0 : Number(value) };
    },
  };
  return {
    add: (key, amount, window) => translatingRedisOutages(() => store.add(key, amount, window)),
    get: (key, window) => translatingRedisOutages(() => store.get(key, window)),
  };
}
