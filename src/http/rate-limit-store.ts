// Where rate-limit counters live: fixed windows per key, opened by a key's first hit and lasting
// the window it names. Redis keeps them for every instance (redis-rate-limit-store.ts); memory keeps
// them for one process (memory-rate-limit-store.ts), which is all embedded mode has.

/**
 * Called with the hits counted in the key's current window (this one included) and the
 * milliseconds left in it, or with the store's error. A store may call back synchronously.
 */
export type RateLimitCallback = (error: Error | null, count: number, ttlMs: number) => void;

export interface RateLimitStore {
  /** Counts one hit on `key`; a key without an open window opens one of `windowMs`. */
  hit(key: string, windowMs: number, callback: RateLimitCallback): void;
}
