// The OpenAPI document (generated from route schemas) at /openapi.json and its docs page at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from './app-types.js';

export async function registerOpenApi(app: App, info: { title: string; version: string }) {
  await app.register(swagger, {
    // Shared schemas keep their $id as their name in the document.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: { ...info, description: 'Azimuth API. Errors are application/problem+json (RFC 9457).' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, () => app.swagger());
}
