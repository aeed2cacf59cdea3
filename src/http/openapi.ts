// The OpenAPI document (generated from route schemas) at /openapi.json and its docs page at /docs.
// One transform makes the document usable from /docs: multipart and raw bodies get a request
// body, and every response a description.
import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TSchema } from 'typebox';
import type { App } from './app-types.js';
import { callerRule } from './caller.js';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The fields of a multipart/form-data body, for the document only: the route reads the parts
     * itself, streaming, so Fastify never validates them.
     */
    multipart?: TSchema;
  }
}

type RouteSchema = Record<string, unknown> & {
  consumes?: string[];
  body?: unknown;
  multipart?: unknown;
  response?: Record<string, Record<string, unknown>>;
};

const rawBody = { type: 'string', format: 'binary', description: 'The file, as the raw request body' };

/** Adds what Fastify's own schemas do not say: request bodies it does not parse, response descriptions. */
export function documentRoute(schema: RouteSchema | undefined): RouteSchema | undefined {
  if (schema === undefined) return schema;
  const { multipart, ...rest } = schema;
  const documented: RouteSchema = { ...rest };
  if (documented.body === undefined && multipart !== undefined) documented.body = multipart;
  else if (documented.body === undefined && documented.consumes?.includes('application/octet-stream'))
    documented.body = rawBody;
  // A route without response schemas (metrics, docs) still says what 200 means.
  documented.response ??= { 200: { description: 'OK' } };
  documented.response = Object.fromEntries(
    Object.entries(documented.response).map(([status, response]) => [
      status,
      typeof response.description === 'string' || '$ref' in response
        ? response
        : { ...response, description: STATUS_CODES[Number(status)] ?? status },
    ]),
  );
  return documented;
}

export async function registerOpenApi(app: App, info: { title: string; version: string }) {
  await app.register(swagger, {
    // Shared schemas keep their $id as their name in the document.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url }) => ({ schema: documentRoute(schema as RouteSchema) as typeof schema, url }),
    openapi: {
      openapi: '3.1.0',
      info: {
        ...info,
        description: `Azimuth API. Errors are application/problem+json (RFC 9457). ${callerRule}`,
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A JWT with `exp`, in the Authorization header. `?access_token=` is read only on the WebSocket upgrade (/ws) and the text/event-stream routes, where a browser cannot send the header; elsewhere it is ignored.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, () => app.swagger());
}
