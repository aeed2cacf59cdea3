// Redis cache shared by every instance. Popularity is counted in Redis too, so a key that is hot
// across the fleet gets the popular TTL even when each instance sees only a share of its reads.
//
// Invalidation reaches every instance because there is no per-process copy: all instances read
// the same Redis key, so a delete on one is what every other reads next. Three gaps are closed:
// a load in flight on this process when the delete happens does not store its result (single
// flight marks it stale); while Redis is down nothing is served from it at all (reads are misses);
// and a delete that failed during an outage is replayed as soon as the connection is ready again
// (too many pending ones flush the namespace instead), so the old value cannot resurface after.
import type { Redis } from 'ioredis';
import type { DependencyCheck } from '../health/dependency-check.js';
import { closeRedis } from '../redis/redis-connections.js';
import { redisCheck } from '../redis/redis-health.js';
import { redisKeyPrefixes } from '../redis/redis-key-prefixes.js';
import { BaseCache, type CacheDeps, type ManagedCache } from './base-cache.js';
import type { CacheOptions } from './cache-options.js';

const MAX_PENDING_INVALIDATIONS = 1000;

export interface RedisCacheDeps extends CacheDeps {
  /** A `command`-mode connection on the cache database; the cache closes it. */
  client: Redis;
}

/** Escapes Redis glob characters so a prefix matches literally in SCAN MATCH. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export class RedisCache extends BaseCache implements ManagedCache {
  readonly driver = 'redis' as const;
  readonly check: DependencyCheck;
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #windowSeconds: number;
  readonly #pending = new Map<string, boolean>();
  #flushAll = false;
  readonly #onReady = () => void this.#replayInvalidations();

  constructor(options: CacheOptions, deps: RedisCacheDeps) {
    super(options, deps);
    this.#client = deps.client;
    this.#prefix = options.keyPrefix ?? redisKeyPrefixes.cache;
    this.#windowSeconds = options.popularityWindowSeconds;
    this.check = redisCheck({ name: 'cache', client: deps.client, required: false, whenDown: 'degraded' });
    this.#client.on('ready', this.#onReady);
  }

  #valueKey(key: string): string {
    return `${this.#prefix}v:${key}`;
  }

  #readsKey(key: string): string {
    return `${this.#prefix}p:${key}`;
  }

  protected async fetch(key: string): Promise<{ json: string | undefined; reads: number }> {
    // One round trip: the value, and a read counted in a window that starts at the first read.
    const results = await this.#client
      .pipeline()
      .get(this.#valueKey(key))
      .set(this.#readsKey(key), '0', 'EX', this.#windowSeconds, 'NX')
      .incr(this.#readsKey(key))
      .exec();
    if (results === null) throw new Error('pipeline aborted');
    for (const [error] of results) if (error !== null) throw error;
    const json = results[0]?.[1];
    const reads = results[2]?.[1];
    return {
      json: typeof json === 'string' ? json : undefined,
      reads: typeof reads === 'number' ? reads : 0,
    };
  }

  protected async readCount(key: string): Promise<number> {
    const value = await this.#client.get(this.#readsKey(key));
    return value === null ? 0 : Number(value);
  }

  protected async store(key: string, json: string, ttlSeconds: number): Promise<void> {
    await this.#client.set(this.#valueKey(key), json, 'EX', ttlSeconds);
  }

  protected async remove(key: string): Promise<void> {
    await this.#client.unlink(this.#valueKey(key));
  }

  protected async removePrefix(prefix: string): Promise<void> {
    const match = `${escapeGlob(this.#valueKey(prefix))}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.#client.scan(cursor, 'MATCH', match, 'COUNT', 500);
      if (keys.length > 0) await this.#client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  protected override onInvalidationFailed(keyOrPrefix: string, isPrefix: boolean): void {
    if (this.#pending.size >= MAX_PENDING_INVALIDATIONS) this.#flushAll = true;
    else this.#pending.set(keyOrPrefix, isPrefix || this.#pending.get(keyOrPrefix) === true);
  }

  async #replayInvalidations(): Promise<void> {
    if (!this.#flushAll && this.#pending.size === 0) return;
    const pending = this.#flushAll ? new Map([['', true]]) : new Map(this.#pending);
    this.#pending.clear();
    this.#flushAll = false;
    for (const [keyOrPrefix, isPrefix] of pending) {
      if (isPrefix) await this.deleteByPrefix(keyOrPrefix);
      else await this.delete(keyOrPrefix);
    }
  }

  /** Remaining TTL in seconds, for tests and the debug endpoint; undefined when absent. */
  async ttlOf(key: string): Promise<number | undefined> {
    const ttl = await this.#client.ttl(this.#valueKey(key));
    return ttl < 0 ? undefined : ttl;
  }

  /** Invalidations waiting for Redis to come back (for tests and /health). */
  get pendingInvalidations(): number {
    return this.#flushAll ? MAX_PENDING_INVALIDATIONS : this.#pending.size;
  }

  async close(): Promise<void> {
    this.#client.off('ready', this.#onReady);
    await closeRedis(this.#client);
  }
}
