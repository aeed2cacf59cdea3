// Ajv coerces a query or path value such as `1e309` to Infinity and then lets it past `maximum`
// (the comparison runs on the string it coerced from), so `?limit=1e309` reached the database as
// a null LIMIT. One check after validation refuses a non-finite number in any query or path value.
import { errors } from '../platform/errors/app-error.js';
import type { App } from './app-types.js';

function nonFinite(values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [name, value] of Object.entries(values))
    if (typeof value === 'number' && !Number.isFinite(value)) return name;
  return undefined;
}

export function registerFiniteNumbers(app: App) {
  app.addHook('preHandler', (request, _reply, done) => {
    const name = nonFinite(request.query) ?? nonFinite(request.params);
    done(name === undefined ? undefined : errors.badRequest(`${name} must be a finite number.`));
  });
}
