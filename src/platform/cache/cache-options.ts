// Cache settings shared by both drivers: default and popular TTLs (seed 003) and memory bounds.
import type { Settings } from '../config/settings-schema.js';

export interface CachePolicy {
  /** TTL for a key that is not popular (REDIS_CACHE_TTL). */
  defaultTtlSeconds: number;
  /** TTL for a popular key (REDIS_POPULAR_CACHE_TTL). */
  popularTtlSeconds: number;
  /** Reads within the window that make a key popular (REDIS_POPULARITY_THRESHOLD). */
  popularityThreshold: number;
  /** REDIS_POPULARITY_WINDOW. */
  popularityWindowSeconds: number;
}

export interface CacheOptions extends CachePolicy {
  /** Entries the memory driver holds (CACHE_MAX_ENTRIES). */
  maxEntries: number;
  /** Namespace for Redis keys; default `azimuth:cache:`. */
  keyPrefix?: string;
}

export function cacheOptionsFromSettings(settings: Settings): CacheOptions {
  return {
    defaultTtlSeconds: settings.REDIS_CACHE_TTL,
    popularTtlSeconds: settings.REDIS_POPULAR_CACHE_TTL,
    popularityThreshold: settings.REDIS_POPULARITY_THRESHOLD,
    popularityWindowSeconds: settings.REDIS_POPULARITY_WINDOW,
    maxEntries: settings.CACHE_MAX_ENTRIES,
  };
}

export function ttlFor(policy: CachePolicy, reads: number): number {
  return reads >= policy.popularityThreshold ? policy.popularTtlSeconds : policy.defaultTtlSeconds;
}
