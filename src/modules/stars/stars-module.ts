// The Star Map module (seed 003): stars, users, likes, active and popular lists, live event
// streams, and the debug and admin endpoints, registered on the app as one encapsulated plugin.
//
// Who may do what with AUTH_MODE=jwt (with none, anyone may do anything and names the user):
//   anyone       GET /stars, /stars/{id}, /stars/active, /stars/popular, /users/{id}/stars,
//                /events/stars/stream
//   signed in    GET /users, /users/{id}, /events/users/stream; an email is shown only to that user
//                and admins, and never on the stream; POST /users creates the caller's own
//                user, id = principalUserId(token subject); POST /stars and /stars/{id}/like act
//                as the caller only (naming anyone else is 403, admins included)
//   owner/admin  DELETE /stars/{id}; PUT and DELETE /users/{id}
//   admin        /admin/stars/*; /debug/* (which exist only with DEBUG=true outside production)
// Write routes are limited to API_RATE_LIMIT_TIMES per API_RATE_LIMIT_SECONDS per client and route.
import type { Registry } from 'prom-client';
import type { AppModule } from '../../http/app-types.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { EventBus, EventPublisher } from '../../platform/events/event-bus.js';
import type { Lifecycle } from '../../platform/health/lifecycle.js';
import type { WriteLimit } from './actor.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerDebugRoutes } from './debug-routes.js';
import { registerEventsRoutes } from './events-routes.js';
import { EventStreams, type EventStreamsStats } from './sse-stream.js';
import { registerStarsRoutes } from './stars-routes.js';
import { StarsService } from './stars-service.js';
import type { StarsSettings } from './stars-settings.js';
import type { StarsStore } from './stars-store.js';
import { registerUsersRoutes } from './users-routes.js';

export interface StarsModuleDeps {
  store: StarsStore;
  cache: Cache;
  events: EventBus;
  /**
   * Where the service's change events go when the store cannot write them with the change
   * (Table Storage); default `events` itself, whose failures then reach the caller. The roles pass
   * the outbox's publisher: the event is stored before the write is acknowledged.
   */
  publisher?: EventPublisher;
  lifecycle: Lifecycle;
  metrics: Registry;
  settings: StarsSettings;
  sse?: {
    /** Comment heartbeat interval (default 15000). */
    heartbeatMs?: number;
  };
  /** Epoch milliseconds; for expiry (ttlSeconds) and the views' `active`. */
  clock?: () => number;
}

/** The module, plus its open streams for tests and operators. */
export interface StarsModule extends AppModule {
  streamStats(): EventStreamsStats;
}

export function starsModule(deps: StarsModuleDeps): StarsModule {
  const { settings } = deps;
  const clock = deps.clock ?? Date.now;
  let streams: EventStreams | undefined;

  const register: AppModule = async (app) => {
    const service = new StarsService({
      store: deps.store,
      cache: deps.cache,
      events: deps.publisher ?? deps.events,
      popularityWindowSeconds: settings.REDIS_POPULARITY_WINDOW,
      clock,
    });
    const eventStreams = new EventStreams({
      events: deps.events,
      lifecycle: deps.lifecycle,
      metrics: deps.metrics,
      maxConnections: settings.SSE_MAX_CONNECTIONS,
      ...(deps.sse?.heartbeatMs === undefined ? {} : { heartbeatMs: deps.sse.heartbeatMs }),
    });
    streams = eventStreams;
    // Streams never end by themselves, so the server could not finish closing without this.
    app.addHook('onClose', async () => eventStreams.dispose());
    app.addHook('preClose', async () => eventStreams.closeAll());

    const writeLimit: WriteLimit = {
      max: settings.API_RATE_LIMIT_TIMES,
      timeWindow: settings.API_RATE_LIMIT_SECONDS * 1000,
    };
    registerStarsRoutes(app, { service, writeLimit });
    registerUsersRoutes(app, { service, writeLimit });
    registerEventsRoutes(app, { streams: eventStreams });
    registerAdminRoutes(app, { service, streams: eventStreams, events: deps.events, writeLimit });
    if (settings.DEBUG && settings.ENVIRONMENT !== 'production') {
      registerDebugRoutes(app, {
        service,
        writeLimit,
        clock,
      });
    }
  };

  return Object.assign(register, {
    streamStats: (): EventStreamsStats =>
      streams?.stats() ?? { connections: 0, byChannel: {}, heartbeatTimer: false },
  });
}
