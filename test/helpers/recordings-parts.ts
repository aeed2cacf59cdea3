// What the recordings module needs beyond the shared ports, for the test-app builder: a migrated
// database (PGlite, or PostgreSQL when a URL is given), the module, and the worker in this process.
import type { Registry } from 'prom-client';
import type { AppModule } from '../../src/http/app-types.js';
import {
  recordingsMigrations,
  recordingsModule,
  registerRecordingsWorker,
  type PipelinePoint,
  type RecordingsWorker,
} from '../../src/modules/recordings/recordings-module.js';
import type { BlobStoreBundle } from '../../src/platform/blob/index.js';
import type { Database } from '../../src/platform/db/database.js';
import { migrateUp } from '../../src/platform/db/migrator.js';
import { platformMigrations } from '../../src/platform/db/platform-migrations.js';
import { createPgliteDatabase } from '../../src/platform/db/pglite-database.js';
import type { PlatformDb } from '../../src/platform/db/platform-tables.js';
import { createPostgresDatabase } from '../../src/platform/db/postgres-database.js';
import type { ManagedEventBus } from '../../src/platform/events/event-bus.js';
import type { HealthRegistry } from '../../src/platform/health/health-registry.js';
import type { Lifecycle } from '../../src/platform/health/lifecycle.js';
import type { ManagedJobQueue } from '../../src/platform/jobs/job-queue.js';
import { createNoneLlmProvider, type LlmProvider } from '../../src/platform/llm/index.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';
import type { AzimuthSettings as Settings } from '../../src/roles/settings.js';

export interface RecordingsTestOptions {
  llm?: LlmProvider;
  /** Default true: the worker runs in this process. */
  worker?: boolean;
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  chunkBytes?: number;
  /** PostgreSQL instead of an in-memory PGlite. */
  databaseUrl?: string;
  now?: () => Date;
}

export interface RecordingsParts {
  db: PlatformDb;
  /** RECORDINGS_CONTAINER. */
  container: string;
  worker: RecordingsWorker | undefined;
}

interface Ports {
  settings: Settings;
  logger: Logger;
  metrics: Registry;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  events: ManagedEventBus;
  jobs: ManagedJobQueue;
  bundle: BlobStoreBundle;
}

async function openDatabase(databaseUrl: string | undefined, logger: Logger): Promise<Database> {
  if (databaseUrl === undefined) return createPgliteDatabase({ dataDir: ':memory:' });
  return createPostgresDatabase(
    {
      url: databaseUrl,
      poolSize: 5,
      idleTimeoutMs: 10_000,
      maxLifetimeSeconds: 600,
      statementTimeoutMs: 30_000,
    },
    { logger },
  );
}

export async function openRecordings(ports: Ports, options: RecordingsTestOptions) {
  const database = await openDatabase(options.databaseUrl, ports.logger);
  await migrateUp({ db: database.db, migrations: { ...platformMigrations, ...recordingsMigrations } });
  const { db } = database;
  const now = options.now === undefined ? {} : { now: options.now };
  const shared = {
    db,
    blobs: ports.bundle.store,
    jobs: ports.jobs,
    events: ports.events,
    logger: ports.logger,
  };
  const module: AppModule = recordingsModule({
    ...shared,
    lifecycle: ports.lifecycle,
    metrics: ports.metrics,
    settings: ports.settings,
    ...now,
  });
  return {
    module,
    parts: { db, container: ports.settings.RECORDINGS_CONTAINER },
    startWorker: async (): Promise<RecordingsWorker | undefined> =>
      options.worker === false
        ? undefined
        : registerRecordingsWorker({
            ...shared,
            llm: options.llm ?? createNoneLlmProvider(),
            health: ports.health,
            settings: ports.settings,
            ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
            ...(options.faults === undefined ? {} : { faults: options.faults }),
            ...now,
          }),
    close: () => database.close(),
  };
}
