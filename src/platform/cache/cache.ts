// The Cache port: JSON values by key with a TTL. Drivers: memory (bounded LRU) and Redis.
// A cache never fails a request: a driver whose backend is down behaves as a miss.

export interface Cache {
  /** The cached value, or undefined on a miss (or when the backend is unreachable). */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores a JSON-serializable value. Without `ttlSeconds` the popularity-aware default applies
   * (REDIS_CACHE_TTL, or REDIS_POPULAR_CACHE_TTL for a key read often within REDIS_POPULARITY_WINDOW).
   */
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  deleteByPrefix(prefix: string): Promise<void>;
  /** Reads through: on a miss runs `loader` once per key per process (single flight) and stores it. */
  getOrLoad<T>(key: string, loader: () => Promise<T>, ttlSeconds?: number): Promise<T>;
}
