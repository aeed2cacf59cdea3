// CORS for the configured origins: the methods a browser needs to edit and delete, and the
// response headers its scripts may read (correlation id, rate limits, paging, location).
// What @fastify/cors did with these options, with every header value made once: its hook
// spread its options and read the route's config on every request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { correlationHeader } from '../platform/telemetry/correlation-id.js';
import type { App } from './app-types.js';

const allowMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].join(', ');
const exposeHeaders = [
  correlationHeader,
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'etag',
  'content-range',
  'location',
].join(', ');

export function registerCors(app: App, origins: readonly string[]) {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    // The answer depends on the origin, so caches must keep one per origin.
    addVary(reply, 'Origin');
    if (origin !== undefined && (anyOrigin || allowed.has(origin))) {
      reply.header('access-control-allow-origin', origin);
    }
    reply.header('access-control-expose-headers', exposeHeaders);
    if (request.raw.method === 'OPTIONS') answerPreflight(request, reply);
    else done();
  });
}

/** 204 with the methods (and the headers asked for), or 400 when it is not a preflight. */
function answerPreflight(request: FastifyRequest, reply: FastifyReply) {
  const headers = request.headers;
  if (headers.origin === undefined || headers['access-control-request-method'] === undefined) {
    void reply.code(400).type('text/plain').send('Invalid Preflight Request');
    return;
  }
  reply.header('access-control-allow-methods', allowMethods);
  addVary(reply, 'Access-Control-Request-Headers');
  const asked = headers['access-control-request-headers'];
  if (asked !== undefined) reply.header('access-control-allow-headers', asked);
  // Safari waits for a body on a 204 without a length.
  void reply.code(204).header('content-length', '0').send();
}

/** Adds `name` to the response's Vary header unless it (or "*") is there already. */
function addVary(reply: FastifyReply, name: string) {
  const current = reply.getHeader('vary');
  if (current === undefined) {
    reply.header('vary', name);
    return;
  }
  const value = Array.isArray(current) ? current.join(', ') : String(current);
  const names = value
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (!names.includes('*') && !names.includes(name.toLowerCase())) reply.header('vary', `${value}, ${name}`);
}
