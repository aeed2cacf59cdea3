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
import { loadAzimuthSettings } from '../../src/roles/settings.js';
import { MemoryEventBus } from '../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry } from '../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../src/platform/health/lifecycle.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../src/platform/telemetry/metrics.js';

const settings = await loadAzimuthSettings({ env: process.env, configDir: '/nonexistent' });
const logger = createLogger({ level: settings.LOG_LEVEL });
const metrics = createMetricsRegistry();
const lifecycle = createLifecycle();

// The memory bus writes to every stream inside publish(): timing it gives the server's share of
// the fan-out, printed at exit so the bench can tell it from the clients' share.
const bus = new MemoryEventBus({ replaySize: settings.EVENTS_REPLAY_SIZE }, { logger, metrics });
const dispatches: Array<{ ms: number; streams: number }> = [];
const publish = bus.publish.bind(bus);
bus.publish = async (channel, data) => {
  const started = performance.now();
  const id = await publish(channel, data);
  const streams = bus.stats().subscribers;
  if (streams > 0 && channel === 'stars') dispatches.push({ ms: performance.now() - started, streams });
  return id;
};

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
      events: bus,
      lifecycle,
      metrics,
      settings,
    }),
  ],
});
await app.listen({ port: settings.PORT, host: '127.0.0.1' });
lifecycle.markReady();

process.once('SIGTERM', () => {
  const sorted = dispatches
    .slice(1)
    .map((d) => d.ms)
    .sort((a, b) => a - b); // the first is warm-up
  if (sorted.length > 0) {
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    process.stderr.write(
      `  server side: publish → written to all ${Math.max(...dispatches.map((d) => d.streams))} streams: ` +
        `median ${median.toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms over ${sorted.length} events\n`,
    );
  }
  void lifecycle
    .drain()
    .then(() => app.close())
    .then(() => db.destroy())
    .finally(() => process.exit(0));
});
