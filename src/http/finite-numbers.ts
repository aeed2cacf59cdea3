// Ajv coerces a query or path value such as `1e309` to Infinity and then lets it past `maximum`
// (the comparison runs on the string it coerced from), so `?limit=1e309` reached the database as
// a null LIMIT. One check after validation refuses a non-finite number in any query or path value.
import { errors } from '../platform/errors/app-error.js';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { App } from './app-types.js';
import { addRouteHook } from './route-hooks.js';

function nonFinite(values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [name, value] of Object.entries(values))
    if (typeof value === 'number' && !Number.isFinite(value)) return name;
  return undefined;
}

function refuseNonFinite(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  const name = nonFinite(request.query) ?? nonFinite(request.params);
  done(name === undefined ? undefined : errors.badRequest(`${name} must be a finite number.`));
}

/** Only routes with a query or path schema coerce values to numbers; the others get no check. */
export function registerFiniteNumbers(app: App) {
  app.addHook('onRoute', (route) => {
    const schema: { querystring?: unknown; query?: unknown; params?: unknown } | undefined = route.schema;
    if (schema?.querystring !== undefined || schema?.query !== undefined || schema?.params !== undefined)
      addRouteHook(route, 'preHandler', refuseNonFinite);
  });
}
