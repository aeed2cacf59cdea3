// Redis cache shared by every instance. Popularity is counted in Redis too, so a key that is hot
// across the fleet gets the popular TTL even when each instance sees only a share of its reads.
//
// Invalidation reaches every instance because there is no per-process copy: all instances read
// the same Redis key, so a delete on one is what every other reads next. Three gaps are closed:
// a load in flight on this process when the delete happens does not store its result (single
// flight marks it stale); while Redis is down nothing is served from it at all (reads are misses);
// and a delete that failed during an outage is replayed as soon as the connection is ready again
// (too many pending ones flush the namespace instead), so the old value cannot resurface after;
// until its replay has succeeded, reads of what it covers are misses, so no request is served the
// old value in the moments between the reconnect and the replay either.
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
  /** Failed invalidations by key or prefix, with the failure count when each last failed. */
  readonly #pending = new Map<string, { isPrefix: boolean; failure: number }>();
  /** Every failed invalidation so far, so a replay never forgets one that failed while it ran. */
  #failures = 0;
  /** The failure count when the pending list overflowed into a flush of the namespace; 0 when not. */
  #flushAll = 0;
  #replaying: Promise<void> | undefined;
  readonly #onReady = () => this.#replay();

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
    if (this.#mayBeStale(key)) {
      // A delete that timed out on a live connection leaves no 'ready' to replay on: a read does.
      if (this.#client.status === 'ready') this.#replay();
      return { json: undefined, reads: 0 };
    }
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
    this.#failures += 1;
    const known = this.#pending.get(keyOrPrefix);
    if (known === undefined && this.#pending.size >= MAX_PENDING_INVALIDATIONS) {
      this.#flushAll = this.#failures;
      return;
    }
    this.#pending.set(keyOrPrefix, {
      isPrefix: isPrefix || known?.isPrefix === true,
      failure: this.#failures,
    });
  }

  /** Whether a failed invalidation not yet replayed covers the key. */
  #mayBeStale(key: string): boolean {
    if (this.#flushAll > 0) return true;
    if (this.#pending.size === 0) return false;
    for (const [keyOrPrefix, { isPrefix }] of this.#pending) {
      if (isPrefix ? key.startsWith(keyOrPrefix) : key === keyOrPrefix) return true;
    }
    return false;
  }

  #replay(): void {
    if (this.#replaying !== undefined) return;
    this.#replaying = this.#replayInvalidations().finally(() => {
      this.#replaying = undefined;
    });
  }

  /**
   * Each pending invalidation leaves the list only once it succeeded and did not fail again since;
   * if the connection drops again, the rest stay pending for the next 'ready'.
   */
  async #replayInvalidations(): Promise<void> {
    if (this.#flushAll === 0 && this.#pending.size === 0) return;
    const upTo = this.#failures;
    const flushAll = this.#flushAll > 0;
    const pending = flushAll ? [['', { isPrefix: true, failure: upTo }] as const] : [...this.#pending];
    for (const [keyOrPrefix, { isPrefix, failure }] of pending) {
      try {
        if (isPrefix) await this.removePrefix(keyOrPrefix);
        else await this.remove(keyOrPrefix);
      } catch {
        return;
      }
      if (!flushAll && this.#pending.get(keyOrPrefix)?.failure === failure) this.#pending.delete(keyOrPrefix);
    }
    if (!flushAll) return;
    // The whole namespace is gone: what failed before this replay began is covered.
    if (this.#flushAll <= upTo) this.#flushAll = 0;
    for (const [keyOrPrefix, { failure }] of this.#pending) {
      if (failure <= upTo) this.#pending.delete(keyOrPrefix);
    }
  }

  /** Remaining TTL in seconds, for tests and the debug endpoint; undefined when absent. */
  async ttlOf(key: string): Promise<number | undefined> {
    const ttl = await this.#client.ttl(this.#valueKey(key));
    return ttl < 0 ? undefined : ttl;
  }

  /** Invalidations waiting for Redis to come back (for tests and /health). */
  get pendingInvalidations(): number {
    return this.#flushAll > 0 ? MAX_PENDING_INVALIDATIONS : this.#pending.size;
  }

  async close(): Promise<void> {
    this.#client.off('ready', this.#onReady);
    await closeRedis(this.#client);
  }
}
