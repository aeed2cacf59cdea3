// Who is calling, decided once for every module. AUTH_MODE=jwt: the verified token's subject,
// with the `admin` role from its `roles` claim. AUTH_MODE=none (development and test only): the
// `userId` query parameter names the caller (`anonymous` when absent) and everyone is trusted.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import Type from 'typebox';
import { hasRole } from '../platform/auth/principal.js';
import { errors } from '../platform/errors/app-error.js';
import { requirePrincipal } from './auth.js';

export const ANONYMOUS_CALLER = 'anonymous';

/** The rule, as the README and the OpenAPI document state it. */
export const callerRule =
  'Who is calling: with AUTH_MODE=jwt, the subject (`sub`) of the bearer token, and the `admin` role from its `roles` claim; ' +
  'with AUTH_MODE=none (development and test only), the `userId` query parameter (`anonymous` when absent), and every caller may do what an admin may.';

export interface Caller {
  /** The token's subject (jwt), else the `userId` the caller gives, else `anonymous`. */
  id: string;
  /** True when `id` comes from a verified token; with AUTH_MODE=none callers only name themselves. */
  verified: boolean;
  /** Holds the admin role; with AUTH_MODE=none, everyone. */
  admin: boolean;
  /** Whose upload quota the request's uploads count against: the subject, else the client address. */
  quotaSubject: string;
}

/** The `userId` query parameter of routes that act for a caller (used with AUTH_MODE=none only). */
export const CallerQuery = Type.Object({
  userId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'AUTH_MODE=none only: who is calling (default `anonymous`); ignored with AUTH_MODE=jwt',
    }),
  ),
});

/** Use behind `requirePrincipal()` (or `access()`), which answers 401 first when there is no principal. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.server.authMode === 'jwt') {
    if (request.principal === null) throw errors.unauthorized();
    const id = request.principal.id;
    return {
      id,
      verified: true,
      admin: hasRole(request.principal, 'admin'),
      quotaSubject: quotaSubjectOf(request),
    };
  }
  const claimed = (request.query as { userId?: unknown } | undefined)?.userId;
  return {
    id: typeof claimed === 'string' && claimed !== '' ? claimed : ANONYMOUS_CALLER,
    verified: false,
    admin: true,
    quotaSubject: quotaSubjectOf(request),
  };
}

/**
 * Whose data a request acts on: the caller's own, unless an admin names another `owner` (anyone
 * else naming one is refused with 403, which is audited).
 */
export function ownerFor(request: FastifyRequest, requested: string | undefined): string {
  const caller = callerOf(request);
  if (requested === undefined || requested === caller.id) return caller.id;
  if (!caller.admin) throw errors.forbidden('Only an admin may act on another user’s data.');
  return requested;
}

/**
 * Whose upload quota a request counts against: the verified subject, else the client address
 * (a claimed `userId` proves nothing, and a signed link's holder may not be signed in).
 */
export function quotaSubjectOf(request: FastifyRequest): string {
  return request.principal === null ? `ip:${request.ip}` : `user:${request.principal.id}`;
}

/**
 * A URL for the same caller: with AUTH_MODE=none the caller's `userId` rides along, so a
 * `Location` works as given; with jwt the token does, so the path is left as it is.
 */
export function callerUrl(request: FastifyRequest, path: string): string {
  const caller = callerOf(request);
  if (caller.verified || caller.id === ANONYMOUS_CALLER) return path;
  return `${path}${path.includes('?') ? '&' : '?'}userId=${encodeURIComponent(caller.id)}`;
}

type SecurityRequirement = Record<string, string[]>;
const bearer: SecurityRequirement = { bearer: [] };

export interface RouteAccess {
  preHandler: preHandlerAsyncHookHandler[];
  schema: { security?: SecurityRequirement[] };
}

export type Access = 'public' | 'signed-in' | 'admin' | 'signed-in-or-link';

/**
 * Route options for who may call. With AUTH_MODE=jwt, `signed-in` and `admin` need a bearer token
 * (and the OpenAPI document says so); `signed-in-or-link` takes a token or a signed link, which the
 * route checks itself; `public` needs nothing. Spread `preHandler` into the route and `schema`
 * into its schema.
 */
export function access(app: FastifyInstance, need: Access): RouteAccess {
  const jwt = app.authMode === 'jwt';
  if (need === 'public' || need === 'signed-in-or-link')
    return { preHandler: [], schema: jwt && need !== 'public' ? { security: [bearer, {}] } : {} };
  return {
    preHandler: [requirePrincipal(need === 'admin' ? { role: 'admin' } : {})],
    schema: jwt ? { security: [bearer] } : {},
  };
}
