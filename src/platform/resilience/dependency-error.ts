// The one rule for a dependency outage: a call that failed because a dependency is unreachable
// (an open breaker, or transient failures that outlasted the retries) leaves the port as one
// typed error naming the dependency, which the HTTP layer sends as 503 with Retry-After.
// Drivers and decorators translate at the port, so no module wraps its calls.
import { AppError, isAppError } from '../errors/app-error.js';
import { isBreakerOpenError } from './breaker-open-error.js';
import { isRetryable, retryAfterMs } from './failure-classification.js';

/** Retry-After when neither a breaker nor the dependency said how long: long enough for a blip. */
export const DEFAULT_OUTAGE_RETRY_AFTER_SECONDS = 5;

export class DependencyUnavailableError extends AppError {
  readonly isDependencyUnavailableError = true;
  /** The dependency, e.g. `database`, `storage`, `tables`, `redis`, `llm`. */
  readonly dependency: string;

  constructor(options: { dependency: string; retryAfterSeconds: number; cause?: unknown }) {
    super({
      status: 503,
      code: 'dependency-unavailable',
      title: 'Service Unavailable',
      detail: `${options.dependency} is temporarily unavailable; try again later.`,
      retryAfterSeconds: Math.max(1, Math.ceil(options.retryAfterSeconds)),
      extensions: { dependency: options.dependency },
      cause: options.cause,
    });
    this.name = 'DependencyUnavailableError';
    this.dependency = options.dependency;
  }
}

export const isDependencyUnavailableError = (error: unknown): error is DependencyUnavailableError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isDependencyUnavailableError?: unknown }).isDependencyUnavailableError === true;

/**
 * The outage error for `error`, or undefined when it is not an outage (a 404, a validation, a
 * bug): those stay as they were. `isOutage` widens the default (transient) classification for
 * dependencies whose drivers report outages their own way (PostgreSQL's SQLSTATEs).
 */
export function toDependencyError(
  error: unknown,
  dependency: string,
  isOutage: (error: unknown) => boolean = isRetryable,
): DependencyUnavailableError | undefined {
  if (isDependencyUnavailableError(error)) return error;
  if (isAppError(error)) return undefined;
  if (isBreakerOpenError(error))
    return new DependencyUnavailableError({
      dependency: error.dependency,
      retryAfterSeconds: error.retryAfterMs / 1000,
      cause: error,
    });
  if (!isOutage(error)) return undefined;
  const askedMs = retryAfterMs(error);
  return new DependencyUnavailableError({
    dependency,
    retryAfterSeconds: askedMs === undefined ? DEFAULT_OUTAGE_RETRY_AFTER_SECONDS : askedMs / 1000,
    cause: error,
  });
}

/** Runs `fn`, rethrowing an outage as DependencyUnavailableError and anything else unchanged. */
export async function translatingOutages<T>(
  dependency: string,
  fn: () => Promise<T>,
  isOutage?: (error: unknown) => boolean,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toDependencyError(error, dependency, isOutage) ?? error;
  }
}
