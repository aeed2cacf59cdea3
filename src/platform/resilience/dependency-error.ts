// How a dependency's failure reaches a client: an open breaker or exhausted transient failures
// become 503 (with Retry-After when known); anything else is left for the caller to judge.
import { isAppError, errors, type AppError } from '../errors/app-error.js';
import { breakerOpenToAppError, isBreakerOpenError } from './breaker-open-error.js';
import { isRetryable } from './failure-classification.js';

/** The AppError to send for `error`, or undefined when it is not a dependency outage. */
export function dependencyErrorToAppError(error: unknown, dependency: string): AppError | undefined {
  if (isAppError(error)) return undefined;
  if (isBreakerOpenError(error)) return breakerOpenToAppError(error);
  if (isRetryable(error))
    return errors.serviceUnavailable(
      `${dependency} is temporarily unavailable; try again later.`,
      undefined,
      {
        cause: error,
        extensions: { dependency },
      },
    );
  return undefined;
}
