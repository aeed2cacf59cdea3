// Picks the cache driver: Redis when configured (shared by every instance), memory otherwise.
import type { Settings } from '../config/settings-schema.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { CacheDeps, ManagedCache } from './base-cache.js';
import { cacheOptionsFromSettings } from './cache-options.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';

export interface CreateCacheDeps extends CacheDeps {
  /** Present when Redis is configured. */
  redis?: RedisConnections;
}

export function createCache(settings: Settings, deps: CreateCacheDeps): ManagedCache {
  const options = cacheOptionsFromSettings(settings);
  if (deps.redis === undefined) return new MemoryCache(options, deps);
  return new RedisCache(options, { ...deps, client: deps.redis.connect('cache') });
}
