// Prometheus scrape endpoint.
import type { Registry } from 'prom-client';
import type { App } from './app-types.js';

export function registerMetricsRoute(app: App, registry: Registry) {
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: { tags: ['health'], summary: 'Prometheus metrics', produces: ['text/plain'] },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
