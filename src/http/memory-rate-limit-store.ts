// Rate-limit counters in this process: a Map from key to its window. Expired windows are swept
// when the map is full (at most once a second); if it is still full, the oldest window is dropped,
// so a flood of new clients costs bounded memory and time (the dropped client starts afresh).
import type { RateLimitCallback, RateLimitStore } from './rate-limit-store.js';

interface Window {
  count: number;
  endsAt: number;
}

export interface MemoryRateLimitStoreOptions {
  /** Most keys held at once; default 100,000. */
  maxKeys?: number;
  /** The clock, in epoch milliseconds (tests move it). */
  now?: () => number;
}

export function createMemoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();

  let sweptAt = Number.NEGATIVE_INFINITY;
  const makeRoom = (at: number) => {
    // A full sweep at most once a second: a flood of new keys must not make every hit O(keys).
    if (at - sweptAt >= 1000) {
      sweptAt = at;
      for (const [key, window] of windows) if (window.endsAt <= at) windows.delete(key);
    }
    // Insertion order is the order windows opened (a reopened window is inserted again).
    if (windows.size >= maxKeys) {
      const oldest = windows.keys().next();
      if (oldest.done !== true) windows.delete(oldest.value);
    }
  };

  return {
    hit(key: string, windowMs: number, callback: RateLimitCallback) {
      const at = now();
      const window = windows.get(key);
      if (window !== undefined && window.endsAt > at) {
        window.count += 1;
        callback(null, window.count, window.endsAt - at);
        return;
      }
      if (window !== undefined) windows.delete(key);
      else if (windows.size >= maxKeys) makeRoom(at);
      windows.set(key, { count: 1, endsAt: at + windowMs });
      callback(null, 1, windowMs);
    },
  };
}
