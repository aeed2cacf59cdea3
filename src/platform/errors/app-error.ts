import { STATUS_CODES } from 'node:http';

// The one catalogue of errors that reach a client. Code anywhere throws these; the HTTP
// error handler alone turns them into application/problem+json (RFC 9457).

export interface AppErrorOptions {
  /** HTTP status the error maps to. */
  status: number;
  /** Short, stable slug; becomes the problem `type` (`urn:azimuth:problem:{code}`). */
  code: string;
  /** Human-readable summary of the problem type. */
  title: string;
  /** What went wrong in this occurrence; safe to show to the caller. */
  detail?: string;
  /** Seconds the caller should wait before trying again (sets `Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra members of the problem document (e.g. the setting or field at fault). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
  /** The caller was refused access to something (audited as `denied`), whatever the status says. */
  refusal?: boolean;
}

export class AppError extends Error {
  readonly isAppError = true;
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Record<string, unknown>;
  readonly refusal: boolean;

  constructor(options: AppErrorOptions) {
    super(options.detail ?? options.title, { cause: options.cause });
    this.name = 'AppError';
    this.status = options.status;
    this.code = options.code;
    this.title = options.title;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions ?? {};
    this.refusal = options.refusal ?? (options.status === 401 || options.status === 403);
  }
}

export const isAppError = (error: unknown): error is AppError =>
  typeof error === 'object' && error !== null && (error as { isAppError?: unknown }).isAppError === true;

type Extras = Omit<AppErrorOptions, 'status' | 'code' | 'title' | 'detail'>;

/** Factories for every error a client can see; add one here rather than building AppError inline. */
export const errors = {
  badRequest: (detail: string, extras?: Extras) =>
    new AppError({ status: 400, code: 'bad-request', title: 'Bad Request', detail, ...extras }),
  unauthorized: (detail = 'A valid bearer token is required.') =>
    new AppError({ status: 401, code: 'unauthorized', title: 'Unauthorized', detail }),
  forbidden: (detail = 'You may not do this.') =>
    new AppError({ status: 403, code: 'forbidden', title: 'Forbidden', detail }),
  notFound: (detail: string) => new AppError({ status: 404, code: 'not-found', title: 'Not Found', detail }),
  /** Someone else's object: the caller sees the same 404 as for an absent one, the audit log a refusal. */
  notYours: (detail: string) =>
    new AppError({ status: 404, code: 'not-found', title: 'Not Found', detail, refusal: true }),
  conflict: (detail: string, extras?: Extras) =>
    new AppError({ status: 409, code: 'conflict', title: 'Conflict', detail, ...extras }),
  preconditionFailed: (detail: string) =>
    new AppError({ status: 412, code: 'precondition-failed', title: 'Precondition Failed', detail }),
  payloadTooLarge: (detail: string, extras?: Extras) =>
    new AppError({ status: 413, code: 'payload-too-large', title: 'Payload Too Large', detail, ...extras }),
  unsupportedMediaType: (detail: string) =>
    new AppError({ status: 415, code: 'unsupported-media-type', title: 'Unsupported Media Type', detail }),
  rangeNotSatisfiable: (detail: string) =>
    new AppError({ status: 416, code: 'range-not-satisfiable', title: 'Range Not Satisfiable', detail }),
  tooManyRequests: (detail: string, retryAfterSeconds: number, extras?: Extras) =>
    new AppError({
      status: 429,
      code: 'too-many-requests',
      title: 'Too Many Requests',
      detail,
      retryAfterSeconds,
      ...extras,
    }),
  internal: (detail = 'An unexpected error occurred.') =>
    new AppError({ status: 500, code: 'internal-error', title: 'Internal Server Error', detail }),
  /** Any other status, titled by its standard reason phrase (for errors raised by libraries). */
  fromStatus: (status: number, detail: string) => {
    const title = STATUS_CODES[status] ?? 'Error';
    return new AppError({ status, code: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'), title, detail });
  },
  serviceUnavailable: (detail: string, retryAfterSeconds?: number, extras?: Extras) =>
    new AppError({
      status: 503,
      code: 'service-unavailable',
      title: 'Service Unavailable',
      detail,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...extras,
    }),
};
