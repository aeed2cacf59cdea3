// Per-request plumbing: the correlation id in AsyncLocalStorage and in the response header,
// one log line per request, and the request-duration histogram labelled by route template.
// Each part can be left out by the bench (request-features.ts) to measure what it costs.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { levels } from 'pino';
import type { Registry } from 'prom-client';
import { correlationHeader } from '../platform/telemetry/correlation-id.js';
import { requestContext, type RequestContext } from '../platform/telemetry/request-context.js';
import type { App } from './app-types.js';
import { createRequestDuration } from './request-duration.js';
import { addRouteHook, takesBody } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    context: RequestContext;
  }
}

export interface RequestTrackingOptions {
  metrics: Registry;
  correlationContext: boolean;
  requestLog: boolean;
  histogram: boolean;
}

export function registerRequestTracking(app: App, options: RequestTrackingOptions) {
  app.decorateRequest('context', undefined as unknown as RequestContext);
  if (options.correlationContext) registerCorrelationContext(app);
  if (options.requestLog || options.histogram) registerCompletion(app, options);
}

/** One context object per request, entered once; no closure is made for it. */
function registerCorrelationContext(app: App) {
  app.addHook('onRequest', (request, reply, done) => {
    request.context = { correlationId: request.id, clientIp: request.ip };
    reply.header(correlationHeader, request.id);
    requestContext.run(request.context, done);
  });
  // A body is parsed from socket events, outside the onRequest continuation: enter the context
  // again for the handler then. A request without one never left it, so routes that take no
  // body (GET, HEAD) get no such hook.
  app.addHook('onRoute', (route) => {
    if (takesBody(route)) addRouteHook(route, 'preHandler', reenterContext);
  });
}

function reenterContext(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  if (requestContext.get() === request.context) done();
  else requestContext.run(request.context, done);
}

function registerCompletion(app: App, options: RequestTrackingOptions) {
  const duration = options.histogram ? createRequestDuration(options.metrics) : undefined;
  const log = options.requestLog;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    duration?.observe(request.method, route, status, durationMs / 1000);
    // Probes arrive every few seconds from every load balancer: noise at info level.
    const level = status >= 500 ? 'error' : route.startsWith('/health') ? 'debug' : 'info';
    if (!log || (levels.values[request.log.level] ?? 0) > (levels.values[level] ?? 0)) {
      done();
      return;
    }
    // The id is given here rather than by entering the request's context again: onResponse runs
    // after the response has gone, and a closure per request is what this path avoids.
    const line = {
      correlationId: request.id,
      method: request.method,
      route,
      url: request.url,
      status,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    request.log[level](line, 'request completed');
    done();
  });
}
