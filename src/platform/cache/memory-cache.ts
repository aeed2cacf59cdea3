// In-process cache: a bounded LRU with per-entry TTLs, popularity counted in this process.
// It is chosen only when Redis is not configured, i.e. the embedded single-process mode, so
// there is no other instance whose copy could go stale.
import { LRUCache } from 'lru-cache';
import type { DependencyCheck } from '../health/dependency-check.js';
import { BaseCache, type CacheDeps, type ManagedCache } from './base-cache.js';
import type { CacheOptions } from './cache-options.js';

interface ReadWindow {
  startedAt: number;
  reads: number;
}

export interface MemoryCacheDeps extends CacheDeps {
  /** Milliseconds; defaults to performance.now. Tests pass a fake clock. */
  now?: () => number;
}

export class MemoryCache extends BaseCache implements ManagedCache {
  readonly driver = 'memory' as const;
  readonly check: DependencyCheck;
  readonly #entries: LRUCache<string, string>;
  readonly #reads: LRUCache<string, ReadWindow>;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: CacheOptions, deps: MemoryCacheDeps) {
    super(options, deps);
    this.#now = deps.now ?? (() => performance.now());
    const perf = { now: this.#now };
    this.#entries = new LRUCache<string, string>({
      max: options.maxEntries,
      ttlAutopurge: false,
      // Read the clock on every check, so a fake clock in tests is honoured exactly.
      ttlResolution: 0,
      perf,
    });
    this.#reads = new LRUCache<string, ReadWindow>({ max: options.maxEntries });
    this.#windowMs = options.popularityWindowSeconds * 1000;
    const entries = this.#entries;
    this.check = {
      name: 'cache',
      driver: 'memory',
      required: false,
      check: () => Promise.resolve({ status: 'healthy', details: { entries: entries.size } }),
    };
  }

  protected fetch(key: string): Promise<{ json: string | undefined; reads: number }> {
    const now = this.#now();
    let window = this.#reads.get(key);
    if (window === undefined || now - window.startedAt >= this.#windowMs) {
      window = { startedAt: now, reads: 0 };
      this.#reads.set(key, window);
    }
    window.reads += 1;
    return Promise.resolve({ json: this.#entries.get(key), reads: window.reads });
  }

  protected readCount(key: string): Promise<number> {
    const window = this.#reads.get(key);
    const current = window !== undefined && this.#now() - window.startedAt < this.#windowMs;
    return Promise.resolve(current ? window.reads : 0);
  }

  protected store(key: string, json: string, ttlSeconds: number): Promise<void> {
    this.#entries.set(key, json, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  protected remove(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  protected removePrefix(prefix: string): Promise<void> {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
    return Promise.resolve();
  }

  /** Remaining TTL in seconds, for tests and the debug endpoint; undefined when absent. */
  ttlOf(key: string): Promise<number | undefined> {
    if (!this.#entries.has(key)) return Promise.resolve(undefined);
    return Promise.resolve(Math.round(this.#entries.getRemainingTTL(key) / 1000));
  }

  close(): Promise<void> {
    this.#entries.clear();
    this.#reads.clear();
    return Promise.resolve();
  }
}
