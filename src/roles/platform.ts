// The composition root: turns settings into the ports every role shares, choosing each
// driver from configuration here and nowhere else, and closes them again on shutdown.
import type { Redis } from 'ioredis';
import type { AuditLog } from '../platform/audit/audit-log.js';
import { BatchedAuditLog } from '../platform/audit/batched-audit-log.js';
import { KyselyAuditLog } from '../platform/audit/kysely-audit-log.js';
import type { Authenticator } from '../platform/auth/authenticator.js';
import type { ManagedCache } from '../platform/cache/base-cache.js';
import { createCache } from '../platform/cache/create-cache.js';
import type { Settings } from '../platform/config/settings-schema.js';
import { createDatabase } from '../platform/db/create-database.js';
import type { Database } from '../platform/db/database.js';
import { migrateUp } from '../platform/db/migrator.js';
import { createEventBus } from '../platform/events/create-event-bus.js';
import type { ManagedEventBus } from '../platform/events/event-bus.js';
import type { EventPublisher } from '../platform/events/event-bus.js';
import type { OutboxDb, OutboxWriter } from '../platform/outbox/outbox.js';
import { outboxPublisher } from '../platform/outbox/outbox-publisher.js';
import { OutboxRelay } from '../platform/outbox/outbox-relay.js';
import { createOutboxWriter } from '../platform/outbox/outbox-writer.js';
import {
  createBlobStore,
  blobStoreOptionsFromSettings,
  type BlobStoreBundle,
} from '../platform/blob/create-blob-store.js';
import { createHealthRegistry, type HealthRegistry } from '../platform/health/health-registry.js';
import { createLifecycle, type Lifecycle } from '../platform/health/lifecycle.js';
import { createJobQueue, jobQueueOptionsFromSettings } from '../platform/jobs/create-job-queue.js';
import { loadLlmProvider } from '../platform/llm/load-llm-provider.js';
import type { LlmProvider } from '../platform/llm/llm-provider.js';
import { createMemoryQuotaStore } from '../platform/quota/memory-quota-store.js';
import { createRedisQuotaStore } from '../platform/quota/redis-quota-store.js';
import { createPolicyMetrics } from '../platform/resilience/policy-metrics.js';
import type { ManagedJobQueue } from '../platform/jobs/job-queue.js';
import { createRedis } from '../platform/redis/create-redis.js';
import { isRedisOutage } from '../platform/redis/redis-outage.js';
import type { RedisConnections } from '../platform/redis/redis-connections.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { clusterWorkerLabel } from './cluster.js';
import { createMetricsRegistry, type Registry } from '../platform/telemetry/metrics.js';
import { allMigrations } from './migrations.js';

export interface Platform {
  settings: Settings;
  logger: Logger;
  metrics: Registry;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  authenticator?: Authenticator;
  database: Database;
  /** Present when Redis is configured; absent in embedded mode. */
  redis?: RedisConnections;
  cache: ManagedCache;
  events: ManagedEventBus;
  /**
   * Change events written in the transaction of their change (outbox.ts); `relay` moves them to
   * `events`, and /health's `events` check includes how many wait.
   */
  outbox: OutboxWriter;
  relay: OutboxRelay;
  /** For a change with no transaction to join: the event is in the outbox when this resolves. */
  publisher: EventPublisher;
  jobs: ManagedJobQueue;
  /** Written in batches (batched-audit-log.ts); `flush()` writes what waits now. */
  audit: BatchedAuditLog;
  /** Blob storage with every decorator (resilience, SAS cache, quota, audit and metrics). */
  blobs: BlobStoreBundle;
  llm: LlmProvider;
  /** Rate-limit counters shared by every instance, when Redis is configured. */
  rateLimitRedis?: Redis;
  /** `name=driver` for every dependency, for the start-up line. */
  describe(): string;
  /** Closes every port's connections, last opened first. */
  close(): Promise<void>;
}

/** What opening the ports needs, and where each registers its check and its closer. */
interface Opening {
  settings: Settings;
  logger: Logger;
  metrics: Registry;
  health: HealthRegistry;
  closers: (() => Promise<void>)[];
}

export async function createPlatform(settings: Settings, logger: Logger, role: string): Promise<Platform> {
  const metrics = createMetricsRegistry({ service: 'azimuth', role, ...clusterWorkerLabel() });
  if (settings.APPLICATIONINSIGHTS_CONNECTION_STRING !== undefined) {
    // Loaded only when exporting: without a connection string OpenTelemetry's API is never imported.
    const { bridgeMetricsToOpenTelemetry } = await import('../platform/telemetry/otel-metrics-bridge.js');
    bridgeMetricsToOpenTelemetry(metrics);
  }
  const health = createHealthRegistry();
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await closer().catch((error: unknown) => logger.error({ err: error }, 'closing a dependency failed'));
    }
  };
  const opening: Opening = { settings, logger, metrics, health, closers };

  try {
    const database = await openDatabase(opening);
    const redis = await createRedis(settings, { logger });
    if (redis) {
      closers.push(() => redis.close());
      health.register(redis.check);
    }
    const messaging = await openMessaging(opening, { redis, database });
    const audit = new BatchedAuditLog(new KyselyAuditLog({ db: database.db }));
    // Closers run last-opened first: what waits is written before the database closes.
    closers.push(() => audit.close());
    const storage = await openStorage(opening, { audit, cache: messaging.cache, redis });

    const rateLimitRedis = redis?.connect('rateLimit');
    if (redis && !(await redis.whenReady(settings.REDIS_CONNECT_TIMEOUT_MS))) {
      logger.warn('redis is not reachable yet; starting degraded, connections keep retrying');
    }

    const authenticator = settings.AUTH_MODE === 'jwt' ? await jwtAuthenticator(settings) : undefined;
    return {
      settings,
      logger,
      metrics,
      health,
      lifecycle: createLifecycle(),
      ...(authenticator ? { authenticator } : {}),
      database,
      ...(redis ? { redis } : {}),
      ...(rateLimitRedis ? { rateLimitRedis } : {}),
      ...messaging,
      audit,
      ...storage,
      describe: () => health.checks.map((c) => `${c.name}=${c.driver}`).join(', '),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The database, migrated first where start-up migrates. */
async function openDatabase({ settings, logger, metrics, health, closers }: Opening): Promise<Database> {
  const migrate = shouldMigrateAtStart(settings);
  const database = await createDatabase(settings, {
    logger,
    metrics,
    ...(migrate ? { migrations: allMigrations } : {}),
  });
  closers.push(() => database.close());
  health.register(database.check);
  if (migrate) {
    const applied = await migrateUp({ db: database.db, migrations: allMigrations });
    logger.info({ applied, driver: database.driver }, `migrated at start-up: ${applied.length} applied`);
  }
  return database;
}

/** Cache, events and jobs: on Redis when it is configured, in memory otherwise; the outbox's relay. */
async function openMessaging(
  { settings, logger, metrics, health, closers }: Opening,
  { redis, database }: { redis: RedisConnections | undefined; database: Database },
): Promise<Pick<Platform, 'cache' | 'events' | 'outbox' | 'relay' | 'publisher' | 'jobs'>> {
  const shared = { logger, metrics, ...(redis ? { redis } : {}) };
  const cache = createCache(settings, shared);
  closers.push(() => cache.close());
  health.register(cache.check);
  const events = createEventBus(settings, shared);
  closers.push(() => events.close());
  // Closed before the bus (closers run in reverse); what waits stays in the outbox for the next
  // process (or another instance's relay), so nothing needs flushing within the shutdown deadline.
  const db = database.db as unknown as OutboxDb;
  const relay = new OutboxRelay({}, { db, bus: events, logger, metrics, isTransient: isRedisOutage });
  const outbox = createOutboxWriter(() => relay.wake());
  const publisher = outboxPublisher(db, outbox);
  relay.start();
  closers.push(() => relay.close());
  if (relay.check) health.register(relay.check);
  const jobs = await createJobQueue(shared, jobQueueOptionsFromSettings(settings));
  closers.push(() => jobs.close());
  health.register(jobs.check);
  return { cache, events, outbox, relay, publisher, jobs };
}

/** Blob storage with every decorator, and the LLM provider, sharing one set of policy metrics. */
async function openStorage(
  { settings, logger, metrics, health, closers }: Opening,
  deps: { audit: AuditLog; cache: ManagedCache; redis: RedisConnections | undefined },
): Promise<Pick<Platform, 'blobs' | 'llm'>> {
  const policyMetrics = createPolicyMetrics({ registry: metrics });
  const blobs = await createBlobStore(blobStoreOptionsFromSettings(settings), {
    logger,
    registry: metrics,
    audit: deps.audit,
    cache: deps.cache,
    quota: deps.redis
      ? createRedisQuotaStore({ redis: deps.redis.connect('rateLimit') })
      : createMemoryQuotaStore(),
    policyMetrics,
  });
  health.register(blobs.health);
  closers.push(async () => blobs.close());
  const llm = await loadLlmProvider(settings, { logger, registry: metrics, policyMetrics });
  closers.push(() => llm.close());
  health.register(llm.health);
  return { blobs, llm };
}

/**
 * Seed 004: in staging and production the API never migrates itself; `azimuth migrate` runs
 * before the new code takes traffic. Elsewhere (and for the embedded database, which nothing
 * else could migrate) start-up migrates, so the two-command quick start works.
 */
function shouldMigrateAtStart(settings: Settings): boolean {
  const deployed = settings.ENVIRONMENT === 'staging' || settings.ENVIRONMENT === 'production';
  if (deployed && settings.DATABASE_URL !== undefined) return false;
  return settings.DATABASE_AUTO_MIGRATE ?? true;
}

/** Loaded only in AUTH_MODE=jwt: jose is not needed where no token is verified. */
async function jwtAuthenticator(settings: Settings): Promise<Authenticator> {
  const { createJwtAuthenticator } = await import('../platform/auth/authenticator.js');
  return createJwtAuthenticator({
    ...(settings.AUTH_JWT_SECRET ? { secret: settings.AUTH_JWT_SECRET } : {}),
    ...(settings.AUTH_JWKS_URL ? { jwksUrl: settings.AUTH_JWKS_URL } : {}),
    ...(settings.AUTH_JWT_ISSUER ? { issuer: settings.AUTH_JWT_ISSUER } : {}),
    ...(settings.AUTH_JWT_AUDIENCE ? { audience: settings.AUTH_JWT_AUDIENCE } : {}),
  });
}
