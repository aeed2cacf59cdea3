// Which business modules each role runs, wired from the platform's ports. A module gets exactly
// the ports it uses, as a typed object; none of them knows which driver it got.
import type { AppModule } from '../http/app-types.js';
import { filesModule } from '../modules/files/files-module.js';
import { createProgressSocket, type ProgressSocket } from '../http/progress-socket.js';
import { recordingsModule, registerRecordingsWorker } from '../modules/recordings/recordings-module.js';
import { registerScansWorker, scansModule } from '../modules/scans/scans-module.js';
import { PostgresStarsStore } from '../modules/stars/postgres-stars-store.js';
import type { StarsTables } from '../modules/stars/stars-tables.js';
import { starsModule } from '../modules/stars/stars-module.js';
import type { StarsStore } from '../modules/stars/stars-store.js';
import { moduleDb } from '../platform/db/database.js';
import { blobStoreOptionsFromSettings, createStoragePolicy } from '../platform/blob/create-blob-store.js';
import { tableStorageAccount } from '../platform/storage/storage-account.js';
import type { Platform } from './platform.js';
import type { AzimuthSettings } from './settings.js';

export interface Modules {
  /** HTTP surfaces, for the `api` and `all` roles. */
  routes: AppModule[];
  /** Stops the job processors (worker and all roles), letting running jobs finish. */
  stopWorkers(): Promise<void>;
  /** Releases what the modules opened themselves (after the HTTP server has closed). */
  close(): Promise<void>;
}

export async function createModules(
  platform: Platform,
  options: { settings: AzimuthSettings; processJobs: boolean },
): Promise<Modules> {
  const { settings } = options;
  // One /ws for every module's live progress (recordings: recordingId, scans: scanId).
  const progress = createProgressSocket({
    events: platform.events,
    lifecycle: platform.lifecycle,
    metrics: platform.metrics,
    logger: platform.logger,
    pingIntervalMs: settings.WS_PING_INTERVAL_MS,
    maxMessageBytes: settings.WS_MAX_MESSAGE_BYTES,
    audit: platform.audit,
  });
  const stars = await openStarsStore(platform, settings);
  platform.health.register(stars.health);
  // The api role only enqueues; worker and all run the modules' jobs.
  const workers = options.processJobs ? await startWorkers(platform, settings) : [];
  return {
    routes: [...moduleRoutes(platform, settings, { stars, progress }), progress.module],
    stopWorkers: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
    },
    close: () => stars.close(),
  };
}

/** Each module's HTTP surface over the ports it uses. */
function moduleRoutes(
  platform: Platform,
  settings: AzimuthSettings,
  { stars, progress }: { stars: StarsStore; progress: ProgressSocket },
): AppModule[] {
  const { blobs, database, jobs } = platform;
  return [
    filesModule({
      blobs: blobs.store,
      health: blobs.health,
      settings,
      ...(blobs.verifyLink ? { verifyLink: blobs.verifyLink } : {}),
    }),
    starsModule({
      store: stars,
      cache: platform.cache,
      events: platform.events,
      publisher: platform.publisher,
      lifecycle: platform.lifecycle,
      metrics: platform.metrics,
      settings,
    }),
    recordingsModule({
      db: database.db,
      blobs: blobs.store,
      jobs,
      logger: platform.logger,
      settings,
      progress,
    }),
    scansModule({ db: database.db, blobs: blobs.store, jobs, audit: platform.audit, progress, settings }),
  ];
}

/** The job processors of the modules that have jobs (worker and all roles). */
async function startWorkers(platform: Platform, settings: AzimuthSettings) {
  const { database, blobs, jobs, llm, logger, outbox } = platform;
  // Progress events are written with their updates in one transaction (the outbox).
  const events = platform.publisher;
  const shared = { db: database.db, blobs: blobs.store, jobs, events, outbox, llm, logger, settings };
  return [
    await registerRecordingsWorker({ ...shared, health: platform.health }),
    registerScansWorker({ ...shared, metrics: platform.metrics }),
  ];
}

/** STARS_STORE: the platform's database (PostgreSQL or PGlite), or Azure Table Storage. */
async function openStarsStore(
  { database, outbox }: Platform,
  settings: AzimuthSettings,
): Promise<StarsStore> {
  let store: StarsStore;
  if (settings.STARS_STORE === 'postgres') {
    // Each write and its change events in one transaction (the outbox).
    store = new PostgresStarsStore({
      db: moduleDb<StarsTables>(database.db),
      driver: database.driver,
      outbox,
    });
  } else {
    // Loaded only when chosen: the Table Storage driver brings the Azure SDK with it.
    const { createStarsStore } = await import('../modules/stars/stars-store-factory.js');
    store = createStarsStore({
      store: 'tables',
      tablePrefix: settings.STARS_TABLE_PREFIX,
      account: tableStorageAccount(settings, 'STARS_STORE=tables'),
      // Blob's policy settings, its own breaker: a Table Storage outage does not open blob's.
      policy: createStoragePolicy(blobStoreOptionsFromSettings(settings).resilience, 'tables'),
    });
  }
  await store.init();
  return store;
}
