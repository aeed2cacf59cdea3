// Builds the Fastify app from explicit dependencies. Tests build it and use `inject`; only
// `roles/` listen. Layers: request plumbing and security, then the foundation's routes, then modules.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { AuditLogReader } from '../platform/audit/audit-log.js';
import type { Authenticator } from '../platform/auth/authenticator.js';
import type { Settings } from '../platform/config/settings-schema.js';
import type { HealthRegistry } from '../platform/health/health-registry.js';
import type { Lifecycle } from '../platform/health/lifecycle.js';
import { correlationHeader, correlationIdFrom } from '../platform/telemetry/correlation-id.js';
import type { App, AppModule } from './app-types.js';
import { registerAuditLogRoute } from './audit-log-route.js';
import { registerAuth } from './auth.js';
import { registerConsole, type ConsoleOptions } from './console.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerMetricsSummaryRoute } from './metrics-summary-route.js';
import { registerOpenApi } from './openapi.js';
import { clientErrorHandler, frameworkErrorHandler, registerProblemHandlers } from './problem.js';
import { registerRateLimits } from './rate-limits.js';
import { registerRequestTracking } from './request-tracking.js';
import { registerRootRoute } from './root-route.js';

export interface AppDeps {
  settings: Settings;
  /** The process logger (pino); typed as Fastify sees it. */
  logger: FastifyBaseLogger;
  metrics: Registry;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  /** Present when AUTH_MODE=jwt. */
  authenticator?: Authenticator;
  /** Shared rate-limit counters across instances; in-memory per process when absent. */
  rateLimitRedis?: Redis;
  modules?: AppModule[];
  /** For admins' GET /admin/audit-log. */
  auditLog?: AuditLogReader;
  /** Serve the web console at `/` (the api and all roles). */
  console?: Pick<ConsoleOptions, 'root' | 'mediaOrigins' | 'identityOrigins'>;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { settings } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    // request-tracking writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => correlationIdFrom(request.headers),
    requestIdHeader: false,
    // The correlation id reaches every line through the logger's mixin; don't bind it twice.
    childLoggerFactory: (logger, _bindings, options) => logger.child({}, options),
    bodyLimit: settings.API_BODY_LIMIT_BYTES,
    // Strict bodies: an unknown field is a 400 naming it, not silently dropped (Fastify's default
    // strips it, so `ttl_seconds` for `ttlSeconds` made a star that never expires), and a JSON body
    // with a `__proto__` or `constructor` key is refused rather than cleaned.
    ajv: { customOptions: { removeAdditional: false } },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Errors Fastify and Node answer before any hook runs are problems too, with a correlation id.
    frameworkErrors: frameworkErrorHandler(settings.ENVIRONMENT === 'development'),
    clientErrorHandler,
    trustProxy: settings.API_TRUST_PROXY,
    forceCloseConnections: 'idle',
    // Longer than Azure's front-end idle timeout, so the front end closes idle connections, not us.
    keepAliveTimeout: 240_000,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerRequestTracking(app, deps.metrics);
  // While draining, tell keep-alive clients to go, so the connection closes after this response
  // and the server can finish closing.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (deps.lifecycle.state === 'draining') reply.header('connection', 'close');
    done(null, payload);
  });
  // Registered before auth and rate limits, so their refusals carry the headers too.
  // The headers an API needs (OWASP REST guidance): no framing, no sniffing, HSTS, a strict CSP
  // (the docs page sets its own). Document-only headers are left off: they add bytes to every
  // response and protect nothing a JSON answer can do.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  await app.register(cors, {
    origin: settings.API_CORS_ORIGINS.includes('*') ? true : settings.API_CORS_ORIGINS,
    // The plugin's default is GET, HEAD, POST only, which leaves a browser unable to edit or delete.
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: [
      correlationHeader,
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'retry-after',
      'etag',
      'content-range',
      'location',
    ],
  });
  registerAuth(app, deps.authenticator);

  await registerRateLimits(app, {
    globalPerMinute: settings.API_RATE_LIMIT_GLOBAL,
    failOpen: settings.API_RATE_LIMIT_FAIL_OPEN,
    ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis } : {}),
  });
  registerProblemHandlers(app, {
    exposeInternalErrors: settings.ENVIRONMENT === 'development',
    notFoundRateLimit: Math.min(settings.API_RATE_LIMIT_GLOBAL, 100),
  });
  await registerOpenApi(app, { title: settings.PROJECT_NAME, version: settings.VERSION });

  registerRootRoute(app, {
    name: settings.PROJECT_NAME,
    version: settings.VERSION,
    environment: settings.ENVIRONMENT,
  });
  registerHealthRoutes(app, {
    health: deps.health,
    lifecycle: deps.lifecycle,
    version: settings.VERSION,
    environment: settings.ENVIRONMENT,
  });
  registerMetricsRoute(app, deps.metrics);
  registerMetricsSummaryRoute(app, { metrics: deps.metrics, health: deps.health });
  if (deps.auditLog) registerAuditLogRoute(app, { auditLog: deps.auditLog });
  if (deps.console)
    await registerConsole(app, {
      ...deps.console,
      version: settings.VERSION,
      environment: settings.ENVIRONMENT,
    });

  for (const module of deps.modules ?? []) {
    await app.register(async (scope) => module(scope.withTypeProvider<TypeBoxTypeProvider>()));
  }
  return app;
}
