// Builds the Fastify app from explicit dependencies. Tests build it and use `inject`; only
// `roles/` listen. Layers: request plumbing and security, then the foundation's routes, then modules.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { AuditLog, AuditLogReader } from '../platform/audit/audit-log.js';
import type { Authenticator } from '../platform/auth/authenticator.js';
import type { Settings } from '../platform/config/settings-schema.js';
import type { HealthRegistry } from '../platform/health/health-registry.js';
import type { Lifecycle } from '../platform/health/lifecycle.js';
import { correlationIdFrom } from '../platform/telemetry/correlation-id.js';
import type { App, AppModule } from './app-types.js';
import type { ConsoleOptions } from './console.js';
import { compileOnFirstUse } from './compile-on-first-use.js';
import { registerFoundationRoutes } from './foundation-routes.js';
import { registerOpenApi } from './openapi.js';
import { clientErrorHandler, frameworkErrorHandler, registerProblemHandlers } from './problem.js';
import type { RequestFeature } from './request-features.js';
import { registerRequestHooks } from './request-hooks.js';
import { requestLoggerFactory } from './request-logger.js';
import { serverTimeouts } from './server-timeouts.js';

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
  /** Where refusals are recorded, and what admins read at GET /admin/audit-log. */
  auditLog?: AuditLog & AuditLogReader;
  /** Serve the web console at `/` (the api and all roles). */
  console?: Pick<ConsoleOptions, 'root' | 'mediaOrigins' | 'identityOrigins' | 'entra'>;
  /** Bench only (bench/foundation.bench.ts): build without these, to measure what each costs. */
  featuresOff?: readonly RequestFeature[];
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { settings } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    // request-tracking writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => correlationIdFrom(request.headers),
    requestIdHeader: false,
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: settings.API_BODY_LIMIT_BYTES,
    // Strict bodies: an unknown field is a 400 naming it, not silently dropped (Fastify's default
    // strips it, so `ttl_seconds` for `ttlSeconds` made a star that never expires), and a JSON body
    // with a `__proto__` or `constructor` key is refused rather than cleaned.
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: compileOnFirstUse() },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Errors Fastify and Node answer before any hook runs are problems too, with a correlation id.
    frameworkErrors: frameworkErrorHandler(settings.ENVIRONMENT === 'development'),
    clientErrorHandler,
    trustProxy: settings.API_TRUST_PROXY,
    ...serverTimeouts(settings),
    forceCloseConnections: 'idle',
    // Requests on connections accepted before the listener closed are answered, not refused: the
    // drain (roles/serve.ts) is what keeps new ones away.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await registerRequestHooks(app, deps);
  registerProblemHandlers(app, {
    exposeInternalErrors: settings.ENVIRONMENT === 'development',
    notFoundRateLimit: Math.min(settings.API_RATE_LIMIT_GLOBAL, 100),
  });
  await registerOpenApi(app, { title: settings.PROJECT_NAME, version: settings.VERSION });

  await registerFoundationRoutes(app, deps);

  for (const module of deps.modules ?? []) {
    await app.register(async (scope) => module(scope.withTypeProvider<TypeBoxTypeProvider>()));
  }
  return app;
}
