// CORS for the configured origins: the methods a browser needs to edit and delete, and the
// response headers its scripts may read (correlation id, rate limits, paging, location).
import cors from '@fastify/cors';
import { correlationHeader } from '../platform/telemetry/correlation-id.js';
import type { App } from './app-types.js';

export async function registerCors(app: App, origins: readonly string[]) {
  await app.register(cors, {
    origin: origins.includes('*') ? true : [...origins],
    // The plugin's default is GET, HEAD, POST only, which leaves a browser unable to edit or delete.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: [
      correlationHeader,
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'retry-after',
      'etag',
      'content-range',
      'location',
    ],
  });
}
