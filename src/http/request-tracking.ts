// Per-request plumbing: the correlation id in AsyncLocalStorage and in the response header,
// one log line per request, and the request-duration histogram labelled by route template.
import { Histogram, type Registry } from 'prom-client';
import { correlationHeader } from '../platform/telemetry/correlation-id.js';
import { requestContext, type RequestContext } from '../platform/telemetry/request-context.js';
import type { App } from './app-types.js';

declare module 'fastify' {
  interface FastifyRequest {
    context: RequestContext;
  }
}

export function registerRequestTracking(app: App, metrics: Registry) {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics],
  });

  app.decorateRequest('context', undefined as unknown as RequestContext);

  app.addHook('onRequest', (request, reply, done) => {
    request.context = { correlationId: request.id, clientIp: request.ip };
    reply.header(correlationHeader, request.id);
    requestContext.run(request.context, done);
  });
  // Body parsing runs outside the onRequest continuation; enter the same context again for handlers.
  app.addHook('preHandler', (request, _reply, done) => {
    requestContext.run(request.context, done);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    duration.observe({ method: request.method, route, status_code: status }, durationMs / 1000);
    const line = {
      method: request.method,
      route,
      url: request.url,
      status,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    requestContext.run(request.context, () => {
      if (status >= 500) request.log.error(line, 'request completed');
      // Probes arrive every few seconds from every load balancer: noise at info level.
      else if (route.startsWith('/health')) request.log.debug(line, 'request completed');
      else request.log.info(line, 'request completed');
    });
    done();
  });
}
