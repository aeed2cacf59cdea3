// A stars API process for benchmarks, built as the composition root will build it (every
// foundation plugin on): settings from the environment, embedded PGlite, memory cache and bus.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { buildApp } from '../../src/http/app.js';
import type { StarsTables } from '../../src/modules/stars/postgres-stars-store.js';
import { starsMigrations } from '../../src/modules/stars/stars-migrations.js';
import { starsModule } from '../../src/modules/stars/stars-module.js';
import { createStarsStore } from '../../src/modules/stars/stars-store-factory.js';
import { cacheOptionsFromSettings } from '../../src/platform/cache/cache-options.js';
import { MemoryCache } from '../../src/platform/cache/memory-cache.js';
import { loadSettings } from '../../src/platform/config/load-settings.js';
import { MemoryEventBus } from '../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry } from '../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../src/platform/health/lifecycle.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../src/platform/telemetry/metrics.js';

const settings = await loadSettings({ env: process.env, configDir: '/nonexistent' });
const logger = createLogger({ level: settings.LOG_LEVEL });
const metrics = createMetricsRegistry();
const lifecycle = createLifecycle();

const db = new Kysely<StarsTables>({ dialect: new PGliteDialect(new PGlite()) });
const { error } = await new Migrator({
  db,
  provider: { getMigrations: () => Promise.resolve(starsMigrations) },
}).migrateToLatest();
if (error !== undefined) throw new Error('stars migrations failed', { cause: error });

const app = await buildApp({
  settings,
  logger,
  metrics,
  health: createHealthRegistry(),
  lifecycle,
  modules: [
    starsModule({
      store: createStarsStore({ store: 'postgres', db, driver: 'pglite' }),
      cache: new MemoryCache(cacheOptionsFromSettings(settings), { logger, metrics }),
      events: new MemoryEventBus({ replaySize: settings.EVENTS_REPLAY_SIZE }, { logger, metrics }),
      lifecycle,
      metrics,
      settings,
    }),
  ],
});
await app.listen({ port: settings.PORT, host: '127.0.0.1' });
lifecycle.markReady();

process.once('SIGTERM', () => {
  void lifecycle
    .drain()
    .then(() => app.close())
    .then(() => db.destroy())
    .finally(() => process.exit(0));
});
