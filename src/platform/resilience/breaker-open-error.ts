// Thrown without calling the dependency while its circuit is open; dependency-error.ts turns it
// into the outage error, 503 with Retry-After set to the time left before a probe is let through.

export class BreakerOpenError extends Error {
  readonly isBreakerOpenError = true;
  /** The dependency whose circuit is open, e.g. `storage`, `llm`. */
  readonly dependency: string;
  /** Milliseconds until the breaker lets a probe through (0 when a probe is already running). */
  readonly retryAfterMs: number;

  constructor(options: { dependency: string; retryAfterMs: number; cause?: unknown }) {
    super(`${options.dependency} is unavailable (circuit open)`, { cause: options.cause });
    this.name = 'BreakerOpenError';
    this.dependency = options.dependency;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export const isBreakerOpenError = (error: unknown): error is BreakerOpenError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isBreakerOpenError?: unknown }).isBreakerOpenError === true;
