// A stars API process for benchmarks, built as the composition root builds it (every foundation
// plugin on): settings from the environment, embedded PGlite, memory cache and bus.
// BENCH_VARIANTS (JSON: [{ port, off?: [request features], redis?: true }]) builds one app per
// entry over the same store and cache, each on its own port, without the features it names and
// with rate-limit counters in the local Redis (under a key prefix of its own) when `redis` says so:
// one process and one seeding for the whole per-feature table. BENCH_AUTH=jwt adds the
// bearer-token hook; BENCH_SEED=1 stores 20 stars with 1…20 likes first.
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import Type, { type Static } from 'typebox';
import { Kysely, Migrator } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { buildApp } from '../../src/http/app.js';
import { requestFeatures, type RequestFeature } from '../../src/http/request-features.js';
import type { StarsTables } from '../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../src/modules/stars/stars-migrations.js';
import { starsModule } from '../../src/modules/stars/stars-module.js';
import type { StarsStore } from '../../src/modules/stars/stars-store.js';
import { createStarsStore } from '../../src/modules/stars/stars-store-factory.js';
import { createJwtAuthenticator } from '../../src/platform/auth/authenticator.js';
import { cacheOptionsFromSettings } from '../../src/platform/cache/cache-options.js';
import { MemoryCache } from '../../src/platform/cache/memory-cache.js';
import { loadAzimuthSettings } from '../../src/roles/settings.js';
import { MemoryEventBus } from '../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry } from '../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../src/platform/health/lifecycle.js';
import { ioredisOptions } from '../../src/platform/redis/redis-options.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../src/platform/telemetry/metrics.js';

const settings = await loadAzimuthSettings({ env: process.env, configDir: '/nonexistent' });
const logger = createLogger({ level: settings.LOG_LEVEL });
const metrics = createMetricsRegistry();
const lifecycle = createLifecycle();

interface Variant {
  port: number;
  off?: string[];
  redis?: boolean;
}
const variants = JSON.parse(process.env.BENCH_VARIANTS ?? `[{ "port": ${settings.PORT} }]`) as Variant[];
const rateLimitRedis = variants.some((v) => v.redis === true)
  ? new Redis({
      // The connection roles/ opens for rate limits, on database 0 under a prefix of this process.
      ...ioredisOptions(
        {
          port: 6379,
          tls: false,
          connectTimeoutMs: 5000,
          databaseMode: 'single',
          databases: { cache: 0, events: 0, jobs: 0, rateLimit: 0 },
        },
        'rateLimit',
        'command',
      ),
      keyPrefix: `bench-${process.pid}:`,
    })
  : undefined;
const featuresOf = (variant: Variant) =>
  (variant.off ?? []).filter((name): name is RequestFeature =>
    (requestFeatures as readonly string[]).includes(name),
  );

// The memory bus writes to every stream inside publish(); Node flushes what a response corked on
// the next tick, so the writes are done by the next setImmediate. Publish time (epoch ms, the
// clock the bench's client threads share) and that span are the server's share of the fan-out;
// GET /bench/publishes hands them to the bench.
const bus = new MemoryEventBus({ replaySize: settings.EVENTS_REPLAY_SIZE }, { logger, metrics });
const Publish = Type.Object({
  id: Type.String(),
  at: Type.Number(),
  writtenMs: Type.Number(),
  /** CPU time of this process over that span: on a shared machine, the figure that does not wait for a core. */
  writtenCpuMs: Type.Number(),
  streams: Type.Integer(),
});
const publishes: Array<Static<typeof Publish>> = [];
const publish = bus.publish.bind(bus);
bus.publish = async (channel, data) => {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const id = await publish(channel, data);
  const streams = bus.stats().subscribers;
  if (streams > 0 && channel === 'stars') {
    setImmediate(() => {
      const at = performance.timeOrigin + started;
      const cpu = process.cpuUsage(cpuBefore);
      const writtenCpuMs = (cpu.user + cpu.system) / 1000;
      publishes.push({ id, at, writtenMs: performance.now() - started, writtenCpuMs, streams });
    });
  }
  return id;
};

const db = new Kysely<StarsTables>({ dialect: new PGliteDialect(new PGlite()) });
const { error } = await new Migrator({
  db,
  provider: { getMigrations: () => Promise.resolve(starsMigrations) },
}).migrateToLatest();
if (error !== undefined) throw new Error('stars migrations failed', { cause: error });
const store = createStarsStore({ store: 'postgres', db, driver: 'pglite' });

/** 25 users, 20 stars with a message of typical length, star i liked by i + 1 users. */
async function seed(stars: StarsStore) {
  const users = [];
  for (let i = 0; i < 25; i++) users.push(await stars.createUser({ name: `Bench user ${i}` }));
  for (let i = 0; i < 20; i++) {
    const star = await stars.createStar({
      userId: users[i]?.id ?? '',
      name: `Star ${i}`,
      message: 'A star for the benchmark, with a message of typical length.',
      ra: i * 17,
      dec: i - 10,
      color: '#a0b0c0',
    });
    for (const fan of users.slice(0, i + 1)) await stars.like(star.id, fan.id);
  }
}
if (process.env.BENCH_SEED === '1') await seed(store);

const cache = new MemoryCache(cacheOptionsFromSettings(settings), { logger, metrics });
const authenticator =
  process.env.BENCH_AUTH === 'jwt'
    ? createJwtAuthenticator({ secret: 'bench-secret-that-is-at-least-32-characters' })
    : undefined;
const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
for (const variant of variants) {
  // Each app registers its own metrics.
  const registry = apps.length === 0 ? metrics : createMetricsRegistry();
  const app = await buildApp({
    settings,
    logger,
    metrics: registry,
    health: createHealthRegistry(),
    lifecycle,
    featuresOff: featuresOf(variant),
    ...(authenticator ? { authenticator } : {}),
    ...(variant.redis === true && rateLimitRedis ? { rateLimitRedis } : {}),
    modules: [starsModule({ store, cache, events: bus, lifecycle, metrics: registry, settings })],
  });
  if (apps.length === 0) {
    app.get('/bench/publishes', { schema: { response: { 200: Type.Array(Publish) } } }, () => publishes);
  }
  await app.listen({ port: variant.port, host: '127.0.0.1' });
  apps.push(app);
}
lifecycle.markReady();

process.once('SIGTERM', () => {
  void lifecycle
    .drain()
    .then(() => Promise.all(apps.map((app) => app.close())))
    .then(() => db.destroy())
    .then(() => rateLimitRedis?.quit())
    .finally(() => process.exit(0));
});
