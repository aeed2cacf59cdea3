// What both cache drivers share: JSON encoding, popularity-aware TTLs, single flight, metrics,
// and the rule that a failing backend is a miss, never an error for the caller.
import type { Counter, Registry } from 'prom-client';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import { counter } from '../telemetry/metric-factory.js';
import type { Cache } from './cache.js';
import { ttlFor, type CachePolicy } from './cache-options.js';
import { ParsedValues } from './parsed-values.js';
import { RecentReads } from './recent-reads.js';
import { SingleFlight } from './single-flight.js';

/** A Cache the composition root owns: it shows on /health and is closed at shutdown. */
export interface ManagedCache extends Cache {
  readonly driver: 'memory' | 'redis';
  readonly check: DependencyCheck;
  close(): Promise<void>;
}

export interface CacheDeps {
  logger: Logger;
  metrics?: Registry;
}

export abstract class BaseCache implements Cache {
  abstract readonly driver: 'memory' | 'redis';
  readonly #policy: CachePolicy;
  readonly #flights = new SingleFlight();
  readonly #parsed = new ParsedValues();
  readonly #logger: Logger;
  readonly #requests: Counter<'driver' | 'result'> | undefined;
  readonly #errors: Counter<'driver' | 'operation'> | undefined;
  /** Reads seen for recently read keys, so a set right after a read needs no extra round trip. */
  readonly #recentReads = new RecentReads();
  #lastWarning = 0;

  protected constructor(policy: CachePolicy, deps: CacheDeps) {
    this.#policy = policy;
    this.#logger = deps.logger;
    if (deps.metrics !== undefined) {
      this.#requests = counter(deps.metrics, {
        name: 'azimuth_cache_requests_total',
        help: 'Cache reads by driver and result (hit, miss, error)',
        labelNames: ['driver', 'result'],
      });
      this.#errors = counter(deps.metrics, {
        name: 'azimuth_cache_errors_total',
        help: 'Cache backend failures by driver and operation, each answered as a miss or a no-op',
        labelNames: ['driver', 'operation'],
      });
    }
  }

  /** The stored JSON (or undefined) and how many reads the key has had in the current window, this one included. */
  protected abstract fetch(key: string): Promise<{ json: string | undefined; reads: number }>;
  /** Reads in the current window without counting one. */
  protected abstract readCount(key: string): Promise<number>;
  protected abstract store(key: string, json: string, ttlSeconds: number): Promise<void>;
  protected abstract remove(key: string): Promise<void>;
  protected abstract removePrefix(prefix: string): Promise<void>;

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const { json, reads } = await this.fetch(key);
      this.#recentReads.remember(key, reads);
      this.#requests?.inc({ driver: this.driver, result: json === undefined ? 'miss' : 'hit' });
      return json === undefined ? undefined : (this.#parsed.parse(key, json) as T);
    } catch (error) {
      this.#failed('get', error);
      this.#requests?.inc({ driver: this.driver, result: 'error' });
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new TypeError(`cache value for ${key} is not JSON-serializable`);
    try {
      const ttl =
        ttlSeconds ?? ttlFor(this.#policy, this.#recentReads.get(key) ?? (await this.readCount(key)));
      await this.store(key, json, ttl);
    } catch (error) {
      this.#failed('set', error);
    }
  }

  async delete(key: string): Promise<void> {
    this.#flights.invalidate(key);
    try {
      await this.remove(key);
    } catch (error) {
      this.#failed('delete', error);
      this.onInvalidationFailed(key, false);
    }
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    this.#flights.invalidate(prefix, true);
    try {
      await this.removePrefix(prefix);
    } catch (error) {
      this.#failed('deleteByPrefix', error);
      this.onInvalidationFailed(prefix, true);
    }
  }

  /**
   * The read and the load both run inside the flight: concurrent callers for one key share one
   * backend read and, on a miss, one loader call. (Joined callers are not counted as extra reads
   * for popularity; a key hot enough to be joined is read often enough to cross the threshold.)
   */
  getOrLoad<T>(key: string, loader: () => Promise<T>, ttlSeconds?: number): Promise<T> {
    return this.#flights.run(key, async (isStale) => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await loader();
      // undefined is how a miss looks, so it is never stored; a stale load may predate a write.
      if (value !== undefined && !isStale()) await this.set(key, value, ttlSeconds);
      return value;
    });
  }

  /** A driver that can replay a lost invalidation later (Redis after reconnect) overrides this. */
  protected onInvalidationFailed(_keyOrPrefix: string, _isPrefix: boolean): void {
    // The memory driver never fails to invalidate.
  }

  #failed(operation: string, error: unknown): void {
    this.#errors?.inc({ driver: this.driver, operation });
    const now = Date.now();
    if (now - this.#lastWarning < 10_000) return;
    this.#lastWarning = now;
    this.#logger.warn(
      { err: error, operation, driver: this.driver },
      'cache backend failed; serving as a miss',
    );
  }
}
