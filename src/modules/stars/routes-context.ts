// What the stars and users routes share, built once per registration: the service, the sign-in
// check (and its OpenAPI security), and the options of write routes (sign-in and rate limit).
import type { App } from '../../http/app-types.js';
import { access, type RouteAccess } from '../../http/caller.js';
import type { WriteLimit } from './actor.js';
import type { StarsService } from './stars-service.js';

export interface RoutesDeps {
  service: StarsService;
  writeLimit: WriteLimit;
}

export interface RoutesContext {
  service: StarsService;
  signedIn: RouteAccess;
  /** Spread into a write route's options. */
  write: { preHandler: RouteAccess['preHandler']; config: { rateLimit: WriteLimit } };
}

export function routesContext(app: App, deps: RoutesDeps): RoutesContext {
  const signedIn = access(app, 'signed-in');
  return {
    service: deps.service,
    signedIn,
    write: { preHandler: signedIn.preHandler, config: { rateLimit: deps.writeLimit } },
  };
}
