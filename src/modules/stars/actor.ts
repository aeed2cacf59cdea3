// The caller as the stars service sees it: null with AUTH_MODE=none (callers name the user in the
// request, as the Star Map API always did), else the caller's star-map user id and admin role.
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../../http/caller.js';
import { principalUserId } from './principal-user-id.js';
import type { Actor } from './stars-service.js';

/** Use behind `access(app, 'signed-in')`, which answers 401 first when there is no principal. */
export function actorOf(request: FastifyRequest): Actor {
  const caller = callerOf(request);
  // Star-map ids are UUIDs derived from the subject; stored users depend on that derivation.
  return caller.verified ? { userId: principalUserId(caller.id), admin: caller.admin } : null;
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
