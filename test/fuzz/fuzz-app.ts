// The whole API for fuzzing: every module (files, stars, recordings, scans) over embedded drivers,
// AUTH_MODE=jwt with DEBUG routes on, rate limits out of the way, no workers (so nothing changes
// state between a request and the snapshot after it), counters on the event bus and queue, and a
// ledger of the blobs every store commits.
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { StarsTables } from '../../src/modules/stars/stars-tables.js';
import { createStarsStore } from '../../src/modules/stars/stars-store-factory.js';
import { moduleDb } from '../../src/platform/db/database.js';
import { migrateUp } from '../../src/platform/db/migrator.js';
import { createPgliteDatabase } from '../../src/platform/db/pglite-database.js';
import { createLifecycle } from '../../src/platform/health/lifecycle.js';
import { MemoryEventBus } from '../../src/platform/events/memory-event-bus.js';
import { InProcessJobQueue } from '../../src/platform/jobs/in-process-job-queue.js';
import { createNoneLlmProvider } from '../../src/platform/llm/index.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { allMigrations } from '../../src/roles/migrations.js';
import { createArrayAuditLog } from '../helpers/fakes.js';
import { buildTestApp, testJwtSecret, type TestApp } from '../helpers/test-app.js';
import { testSettings } from '../helpers/test-settings.js';
import { scansWithProgress } from '../modules/scans/scans-fixture.js';
import {
  BlobLedger,
  countingEventBus,
  countingJobQueue,
  followBlobWrites,
  type Counters,
} from './state-snapshot.js';
import { testBlobStore } from '../helpers/test-blob-store.js';

export const fuzzEnv = {
  AUTH_MODE: 'jwt',
  AUTH_JWT_SECRET: testJwtSecret,
  LOG_LEVEL: 'silent',
  DEBUG: 'true',
  API_RATE_LIMIT_GLOBAL: '10000000',
  API_RATE_LIMIT_TIMES: '10000000',
  MAX_UPLOAD_MB: '1',
};

export interface FuzzApp {
  t: TestApp;
  /** Every database the app writes to. */
  databases: Kysely<unknown>[];
  counters: Counters;
  /** The blobs every store of the app committed (both stores write under `blobRoot`). */
  ledger: BlobLedger;
  /** `{dataDir}/blobs`: the disk driver's containers and its `.tmp` folder. */
  blobRoot: string;
  close(): Promise<void>;
}

export async function buildFuzzApp(dataDir: string): Promise<FuzzApp> {
  const counters: Counters = { published: 0, enqueued: 0 };
  const logger = createLogger({ level: 'silent' });
  const events = countingEventBus(new MemoryEventBus({ replaySize: 100 }, { logger }), counters);
  const jobs = countingJobQueue(new InProcessJobQueue({ logger }), counters);
  const shared = await createPgliteDatabase({ dataDir: ':memory:' });
  await migrateUp({ db: shared.db, migrations: allMigrations });
  const settings = await testSettings({ ...fuzzEnv, DATA_DIR: dataDir });
  const bundle = await testBlobStore(settings, logger);
  const metrics = new Registry();
  const lifecycle = createLifecycle();
  lifecycle.markReady();
  const { scans } = scansWithProgress(lifecycle, {
    db: shared.db,
    blobs: bundle.store,
    jobs,
    events,
    llm: createNoneLlmProvider(),
    audit: createArrayAuditLog(),
    metrics,
    logger,
    settings,
  });
  const t = await buildTestApp({
    modules: ['files', 'stars', 'recordings', scans.routes],
    stars: {
      store: createStarsStore({ store: 'postgres', db: moduleDb<StarsTables>(shared.db), driver: 'pglite' }),
    },
    recordings: { worker: false },
    events,
    jobs,
    dataDir,
    env: fuzzEnv,
  });
  const ledger = new BlobLedger();
  followBlobWrites(bundle.store, ledger);
  followBlobWrites(t.bundle.store, ledger);
  return {
    t,
    databases: [moduleDb<unknown>(shared.db), moduleDb<unknown>(t.db)],
    counters,
    ledger,
    blobRoot: join(dataDir, 'blobs'),
    async close() {
      await t.close();
      await shared.close();
    },
  };
}
