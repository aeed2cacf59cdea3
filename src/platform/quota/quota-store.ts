// The QuotaStore port: usage counters in fixed time windows (e.g. bytes uploaded per user per
// hour), shared by every instance. Drivers: memory (one process) and Redis (INCRBY + EXPIRE).

export interface QuotaUsage {
  /** Units counted in the window (after this call's change, for add). */
  used: number;
  /** Start of the window the count belongs to; pass it back to refund into the same window. */
  windowStart: Date;
  /** When the window ends and the count starts again from zero. */
  resetAt: Date;
}

export interface QuotaWindow {
  /** Window length; windows are aligned to multiples of it since the epoch (hourly buckets). */
  windowSeconds: number;
  /** Picks the window containing this instant instead of the current one (for refunds). */
  at?: Date;
}

export interface QuotaStore {
  /** Adds `amount` (negative to refund) to `key` in the window and returns the new usage, atomically. */
  add(key: string, amount: number, window: QuotaWindow): Promise<QuotaUsage>;
  /** Current usage of `key` in the window (0 when nothing was counted). */
  get(key: string, window: QuotaWindow): Promise<QuotaUsage>;
}

/** The window containing `at`: [start, start + windowSeconds). */
export function windowBounds(at: Date, windowSeconds: number): { windowStart: Date; resetAt: Date } {
  const size = windowSeconds * 1000;
  const start = Math.floor(at.getTime() / size) * size;
  return { windowStart: new Date(start), resetAt: new Date(start + size) };
}
