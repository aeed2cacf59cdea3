// The wait before retry n: exponential growth with full jitter, never less than a server's
// Retry-After, never more than the cap.

export interface BackoffDelayOptions {
  /** 1 for the first retry. */
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); Math.random in production, pinned in tests. */
  random: () => number;
  /** What the server asked for, if anything. Honoured, but capped at maxDelayMs. */
  retryAfterMs?: number;
}

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): a uniform draw in
 * [0, min(cap, base·2^(attempt−1))], which spreads synchronized clients best.
 */
export function backoffDelayMs(options: BackoffDelayOptions): number {
  const exponent = Math.max(0, options.attempt - 1);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor(options.random() * ceiling);
  if (options.retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(options.retryAfterMs, options.maxDelayMs));
}
