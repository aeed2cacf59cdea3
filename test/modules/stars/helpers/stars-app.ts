// Builds the app with the stars module the way the composition root will: explicit ports (memory
// cache and bus unless given), one lifecycle shared by the app and the module, tokens for jwt.
import { buildApp } from '../../../../src/http/app.js';
import type { App } from '../../../../src/http/app-types.js';
import {
  starsModule,
  type StarsModule,
  type StarsModuleDeps,
} from '../../../../src/modules/stars/stars-module.js';
import type { StarsStore } from '../../../../src/modules/stars/stars-store.js';
import { createJwtAuthenticator } from '../../../../src/platform/auth/authenticator.js';
import { mintToken } from '../../../../src/platform/auth/mint-token.js';
import { cacheOptionsFromSettings } from '../../../../src/platform/cache/cache-options.js';
import type { Cache } from '../../../../src/platform/cache/cache.js';
import { MemoryCache } from '../../../../src/platform/cache/memory-cache.js';
import type { EventBus } from '../../../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry } from '../../../../src/platform/health/health-registry.js';
import { createLifecycle, type Lifecycle } from '../../../../src/platform/health/lifecycle.js';
import { createMetricsRegistry, type Registry } from '../../../../src/platform/telemetry/metrics.js';
import { silentLogger } from '../../../helpers/silent-logger.js';
import { testJwtSecret } from '../../../helpers/test-app.js';
import { testSettings } from '../../../helpers/test-settings.js';

export interface StarsApp {
  app: App;
  module: StarsModule;
  store: StarsStore;
  cache: Cache;
  events: EventBus;
  lifecycle: Lifecycle;
  metrics: Registry;
  /** A bearer header for AUTH_MODE=jwt. */
  auth(subject: string, roles?: string[]): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export async function buildStarsApp(options: {
  store: StarsStore;
  env?: Record<string, string>;
  cache?: Cache;
  events?: EventBus;
  heartbeatMs?: number;
  /** Overrides of what the module sees (e.g. production with DEBUG, which settings refuse). */
  moduleSettings?: Partial<StarsModuleDeps['settings']>;
  clock?: () => number;
}): Promise<StarsApp> {
  const settings = await testSettings({
    LOG_LEVEL: 'silent',
    DEBUG: 'true',
    API_RATE_LIMIT_TIMES: '100000',
    API_RATE_LIMIT_GLOBAL: '100000',
    ...options.env,
  });
  const logger = silentLogger();
  const metrics = createMetricsRegistry();
  const lifecycle = createLifecycle();
  const cache = options.cache ?? new MemoryCache(cacheOptionsFromSettings(settings), { logger });
  const events = options.events ?? new MemoryEventBus({ replaySize: 1000 }, { logger });
  const module = starsModule({
    store: options.store,
    cache,
    events,
    lifecycle,
    metrics,
    settings: { ...settings, ...options.moduleSettings },
    ...(options.heartbeatMs === undefined ? {} : { sse: { heartbeatMs: options.heartbeatMs } }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const app = await buildApp({
    settings,
    logger,
    metrics,
    health: createHealthRegistry({ timeoutMs: 500 }),
    lifecycle,
    ...(settings.AUTH_MODE === 'jwt'
      ? { authenticator: createJwtAuthenticator({ secret: testJwtSecret }) }
      : {}),
    modules: [module],
  });
  await app.ready();
  lifecycle.markReady();
  return {
    app,
    module,
    store: options.store,
    cache,
    events,
    lifecycle,
    metrics,
    auth: async (subject, roles = []) => ({
      authorization: `Bearer ${await mintToken({ secret: testJwtSecret, subject, roles })}`,
    }),
    async close() {
      await app.close();
      await options.store.close();
    },
  };
}
