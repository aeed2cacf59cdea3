// Thrown without calling the dependency while its circuit is open; the HTTP layer turns it into
// 503 with Retry-After set to the time left before the breaker lets a probe through.
import { errors, type AppError } from '../errors/app-error.js';

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

/** The client-facing form: 503 with Retry-After rounded up to whole seconds (at least 1). */
export function breakerOpenToAppError(error: BreakerOpenError): AppError {
  return errors.serviceUnavailable(
    `${error.dependency} is temporarily unavailable; try again later.`,
    Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
    { cause: error, extensions: { dependency: error.dependency } },
  );
}
