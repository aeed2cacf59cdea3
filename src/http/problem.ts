// Turns every error, including 404, schema validation and the ones Fastify and Node answer before
// any hook runs (a URL that does not decode, an over-long header), into application/problem+json
// (RFC 9457) carrying the correlation id. 5xx details stay in the log outside development.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Type from 'typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errors, isAppError, type AppError } from '../platform/errors/app-error.js';
import { isBreakerOpenError } from '../platform/resilience/breaker-open-error.js';
import { toDependencyError } from '../platform/resilience/dependency-error.js';
import { correlationHeader } from '../platform/telemetry/correlation-id.js';
import { securityHeaders } from './security-headers.js';
import type { App } from './app-types.js';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    correlationId: Type.String(),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** Problem responses for a route schema, e.g. `...problemResponses(400, 404)`. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));

/** The reply methods a problem needs; structural so it fits every route's reply type. */
interface ProblemReply<R> {
  header(name: string, value: number): R;
  code(status: number): R;
  type(contentType: string): R;
  send(payload: string): R;
}

export function sendProblem<R extends ProblemReply<R>>(
  request: { url: string; id: string },
  reply: R,
  error: AppError,
): R {
  if (error.retryAfterSeconds !== undefined)
    reply.header('retry-after', Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:azimuth:problem:${error.code}`,
        title: error.title,
        status: error.status,
        ...(error.detail === undefined ? {} : { detail: error.detail }),
        instance: request.url.split('?')[0],
        correlationId: request.id,
        ...error.extensions,
      }),
    );
}

export function registerProblemHandlers(
  app: App,
  options: { exposeInternalErrors: boolean; notFoundRateLimit: number },
) {
  app.addSchema(ProblemSchema);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toAppError(error, options.exposeInternalErrors);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });

  // Rate-limited, since an attacker could search for valid URLs; a store outage follows
  // API_RATE_LIMIT_FAIL_OPEN like every other limit. The caller is identified first (routes get
  // that hook as they are registered; this handler is not a route), so a signed-in caller is
  // counted by subject and a bad token is still a 401.
  const notFoundLimit = app.rateLimitHook(
    { max: options.notFoundRateLimit, timeWindow: 60_000 },
    'not-found',
  );
  app.setNotFoundHandler(
    { preHandler: app.identifyCaller === undefined ? notFoundLimit : [app.identifyCaller, notFoundLimit] },
    (request, reply) =>
      sendProblem(
        request,
        reply,
        errors.notFound(`No route for ${request.method} ${request.url.split('?')[0]}.`),
      ),
  );
}

/** What a framework error means to the caller, without echoing the URL back. */
const frameworkDetails: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL holds an escape sequence that does not decode.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment of the URL is too long.',
};

/**
 * Fastify's `frameworkErrors`: the URL could not be routed, so no hook ran (no correlation id
 * header, no security headers); set both here.
 */
export function frameworkErrorHandler(exposeInternalErrors: boolean) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const detail = frameworkDetails[error.code];
    const problem =
      detail === undefined
        ? toAppError(error, exposeInternalErrors)
        : errors.fromStatus(error.statusCode ?? 400, detail);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    reply.headers({ ...securityHeaders, [correlationHeader]: request.id });
    sendProblem(request, reply, problem);
  };
}

/**
 * Node's `clientError` (a malformed request, a header block over the limit, a request timeout):
 * there is no request yet, so the answer is written to the socket by hand, then closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const problem = errors.fromStatus(status, clientErrorDetails[status] ?? 'The request could not be read.');
  const correlationId = randomUUID();
  const body = JSON.stringify({
    type: `urn:azimuth:problem:${problem.code}`,
    title: problem.title,
    status,
    detail: problem.detail,
    correlationId,
  });
  const headers = {
    ...securityHeaders,
    [correlationHeader]: correlationId,
    'content-type': 'application/problem+json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  // Garbage after a request on a socket whose answer has begun (an event stream, say) cannot get an
  // answer of its own: it would land inside the other one's body. Node's default handler makes
  // the same check on the same (internal) field.
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && answering?.headersSent !== true)
    socket.write(`HTTP/1.1 ${status} ${problem.title}\r\n${head.join('')}\r\n${body}`);
  socket.destroy(error);
}

const clientErrorDetails: Record<number, string> = {
  431: 'The request headers are too large.',
  408: 'The request took too long to arrive.',
};

const multipartParserError = /unexpected end of multipart data|^Multipart: Boundary not found/i;

function toAppError(error: FastifyError, exposeInternalErrors: boolean): AppError {
  if (isAppError(error)) return error;
  // Ports translate outages themselves (DependencyUnavailableError, an AppError); an open breaker
  // reached here from a policy used directly gets the same 503 with Retry-After.
  if (isBreakerOpenError(error)) return toDependencyError(error, error.dependency) ?? errors.internal();
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    const found = error.validation.map(describeViolation);
    return errors.badRequest(validationSummary(where, found[0]), {
      extensions: { errors: found.map((v) => ({ in: where, ...v })) },
    });
  }
  // The multipart parser's errors carry no status or code: a body cut off or not framed by its
  // boundary is the client's mistake, not a fault of ours.
  if (multipartParserError.test(error.message))
    return errors.badRequest('The multipart body is malformed or cut off before its closing boundary.');
  const status = error.statusCode ?? 500;
  // Fastify's own 4xx errors (malformed JSON, body too large, unsupported type) are safe to show.
  if (status >= 400 && status < 500) return errors.fromStatus(status, error.message);
  return errors.internal(exposeInternalErrors ? error.message : 'An unexpected error occurred.');
}

type Violation = NonNullable<FastifyError['validation']>[number];

/** Where and what: an unknown field is named in the path, since Ajv reports it on the parent. */
function describeViolation(v: Violation): { path: string; message: string } {
  const unknown = v.keyword === 'additionalProperties' ? v.params.additionalProperty : undefined;
  if (typeof unknown === 'string')
    return { path: `${v.instancePath}/${unknown}`, message: 'is not a known field' };
  return { path: v.instancePath || '/', message: v.message ?? 'is invalid' };
}

function validationSummary(where: string, first: { path: string; message: string } | undefined): string {
  if (!first) return `The ${where} is invalid.`;
  const path = first.path === '/' ? '' : first.path.slice(1).replace(/\//g, '.');
  return `Invalid ${where}${path ? ` field "${path}"` : ''}: ${first.message}.`;
}
