// Decides whether a failed call is worth repeating, and how long the server asked us to wait.
// Understands Azure RestError, SDK errors carrying `.status`/headers (OpenAI, Anthropic), AppError
// and Node/undici network errors, so one policy shape serves every external dependency.

/** HTTP statuses that say "try again later". Everything else with a status is final. */
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** Socket-level failures: the request may never have reached the server, or the reply was lost. */
const retryableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // @azure/core-rest-pipeline wraps a failed send in a RestError with this code.
  'REQUEST_SEND_ERROR',
]);

/** SDK error classes that mean "no response arrived" (OpenAI and Anthropic SDKs). */
const retryableNames = new Set(['APIConnectionError', 'APIConnectionTimeoutError', 'OperationTimeoutError']);

type Bag = Record<string, unknown>;
const isObject = (value: unknown): value is Bag => typeof value === 'object' && value !== null;

/** The HTTP status an error carries (`statusCode` on RestError, `status` on SDK errors and AppError). */
export function statusOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  for (const candidate of [
    error.statusCode,
    error.status,
    isObject(error.response) ? error.response.status : undefined,
  ]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100) return candidate;
  }
  return undefined;
}

/** The first socket error code found on the error, its `cause` chain, or an AggregateError's members. */
export function networkCodeOf(error: unknown, depth = 0): string | undefined {
  if (!isObject(error) || depth > 5) return undefined;
  if (typeof error.code === 'string' && retryableCodes.has(error.code)) return error.code;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = networkCodeOf(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return networkCodeOf(error.cause, depth + 1);
}

/**
 * True for transient failures: 408, 429, 500, 502, 503, 504, socket errors and timeouts.
 * False for answers that would not change on a retry (400, 401, 403, 404, 409, 412, …) and for
 * anything else unknown, so a programming error is never hammered against a dependency.
 */
export function isRetryable(error: unknown): boolean {
  if (!isObject(error)) return false;
  // An AppError is a verdict of ours (a quota, a validation, a mapped 404), never a flaky dependency.
  if (error.isAppError === true) return false;
  const status = statusOf(error);
  if (status !== undefined) return retryableStatuses.has(status);
  if (typeof error.name === 'string' && retryableNames.has(error.name)) return true;
  return networkCodeOf(error) !== undefined;
}

function headerOf(error: Bag, name: string): string | undefined {
  const sources = [error.headers, isObject(error.response) ? error.response.headers : undefined];
  for (const headers of sources) {
    if (!isObject(headers)) continue;
    // Fetch Headers and Azure HttpHeaders both expose get(); SDK v4 errors carry a plain record.
    const get = headers.get;
    const value: unknown = typeof get === 'function' ? get.call(headers, name) : headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * How long the server asked us to wait (`retry-after-ms`, then `retry-after` as seconds or an
 * HTTP date), in milliseconds; undefined when it did not say.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  if (!isObject(error)) return undefined;
  const ms = headerOf(error, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headerOf(error, 'retry-after')?.trim();
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
