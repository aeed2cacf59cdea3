// Identifies the caller. AUTH_MODE=jwt: a bearer token is verified and becomes `request.principal`;
// a bad token is refused outright. The token comes in the Authorization header; `?access_token=`
// counts only where a browser cannot send a header (see acceptsQueryToken), since a URL ends up in
// logs, histories and Referer headers.
// AUTH_MODE=none (development and test only): nobody is identified and modules take the user
// from the request body, as the Star Map API always did.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Authenticator } from '../platform/auth/authenticator.js';
import { hasRole, type Principal } from '../platform/auth/principal.js';
import { errors } from '../platform/errors/app-error.js';
import type { App } from './app-types.js';
import { addRouteHook } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    authMode: 'none' | 'jwt';
    /** The hook identifying the caller (AUTH_MODE=jwt), for handlers that are not routes (the 404). */
    identifyCaller: CallerHook | undefined;
  }
  interface FastifyContextConfig {
    /** The route answers everyone alike and reads no caller (probes): no token is looked at. */
    anonymous?: boolean;
  }
}

export type CallerHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/** `jwt` says which mode routes see; the bench passes no authenticator with it to time the hook. */
export function registerAuth(
  app: App,
  authenticator: Authenticator | undefined,
  jwt = authenticator !== undefined,
) {
  app.decorate('authMode', jwt ? 'jwt' : 'none');
  app.decorateRequest('principal', null);
  if (!authenticator) {
    app.decorate('identifyCaller', undefined);
    return;
  }

  const identify = callerHook(authenticator);
  app.decorate('identifyCaller', identify);
  // Each route that reads its caller gets the hook, after the app-wide ones (correlation context).
  app.addHook('onRoute', (route) => {
    if (route.config?.anonymous !== true) addRouteHook(route, 'onRequest', identify);
  });
}

/** A callback hook: a request without a token costs no Promise. */
function callerHook(authenticator: Authenticator): CallerHook {
  return (request, _reply, done) => {
    let token: string | undefined;
    try {
      token = bearerToken(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (token === undefined) {
      done();
      return;
    }
    authenticator.authenticate(token).then(
      (principal) => {
        request.principal = principal;
        request.context.principalId = principal.id;
        done();
      },
      (error: unknown) => done(errors.unauthorized((error as Error).message)),
    );
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw errors.unauthorized('The Authorization header must be "Bearer <token>".');
    return match[1];
  }
  if (!acceptsQueryToken(request)) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.access_token === 'string' ? query.access_token : undefined;
}

/**
 * Where a header cannot be sent: the WebSocket upgrade (its route declares `access_token` in its
 * query schema) and EventSource streams (routes producing `text/event-stream`). Elsewhere the
 * query parameter is ignored, so a token put in a URL by mistake identifies nobody.
 */
function acceptsQueryToken(request: FastifyRequest): boolean {
  if (request.method !== 'GET') return false;
  const schema = request.routeOptions.schema as
    { produces?: readonly string[]; querystring?: { properties?: Record<string, unknown> } } | undefined;
  return (
    schema?.produces?.includes('text/event-stream') === true ||
    schema?.querystring?.properties?.access_token !== undefined
  );
}

/**
 * A preHandler that admits only an authenticated principal, optionally with a role. With
 * AUTH_MODE=none there are no principals, so it admits everyone (start-up forbids none outside
 * development and test).
 */
export function requirePrincipal(options: { role?: string } = {}) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    if (request.server.authMode === 'none') return;
    if (request.principal === null) throw errors.unauthorized();
    if (options.role !== undefined && !hasRole(request.principal, options.role)) {
      throw errors.forbidden(`This needs the "${options.role}" role.`);
    }
  };
}
