// The caller as the stars service sees it: null with AUTH_MODE=none, else the principal's
// star-map user id and whether they are an admin.
import type { FastifyRequest } from 'fastify';
import { hasRole } from '../../platform/auth/principal.js';
import { errors } from '../../platform/errors/app-error.js';
import { principalUserId } from './principal-user-id.js';
import type { Actor } from './stars-service.js';

/** Use behind `requirePrincipal()`, which answers 401 first when there is no principal. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.server.authMode === 'none') return null;
  if (request.principal === null) throw errors.unauthorized();
  return { userId: principalUserId(request.principal.id), admin: hasRole(request.principal, 'admin') };
}

/** Per-route limit of write routes (seed 003: API_RATE_LIMIT_TIMES per API_RATE_LIMIT_SECONDS). */
export interface WriteLimit {
  max: number;
  timeWindow: number;
}

/** preValidation for routes whose body is optional: no body validates as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
