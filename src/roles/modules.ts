// Which business modules each role runs, wired from the platform's ports. A module gets exactly
// the ports it uses, as a typed object; none of them knows which driver it got.
import type { AppModule } from '../http/app-types.js';
import { createFilesModule } from '../modules/files/files-routes.js';
import { createProgressSocket } from '../http/progress-socket.js';
import { recordingsModule, registerRecordingsWorker } from '../modules/recordings/index.js';
import { createScansModule } from '../modules/scans/index.js';
import { PostgresStarsStore, type StarsTables } from '../modules/stars/postgres-stars-store.js';
import { starsModule } from '../modules/stars/stars-module.js';
import type { StarsStore } from '../modules/stars/stars-store.js';
import { moduleDb } from '../platform/db/database.js';
import { blobStoreOptionsFromSettings, createStoragePolicy } from '../platform/blob/create-blob-store.js';
import { tableStorageAccount } from '../platform/storage/storage-account.js';
import type { Platform } from './platform.js';

export interface Modules {
  /** HTTP surfaces, for the `api` and `all` roles. */
  routes: AppModule[];
  /** Stops the job processors (worker and all roles), letting running jobs finish. */
  stopWorkers(): Promise<void>;
  /** Releases what the modules opened themselves (after the HTTP server has closed). */
  close(): Promise<void>;
}

export async function createModules(platform: Platform, options: { processJobs: boolean }): Promise<Modules> {
  const { settings, blobs, database, jobs, events, lifecycle, metrics, logger } = platform;
  // One /ws for every module's live progress (recordings: recordingId, scans: scanId).
  const progress = createProgressSocket({
    events,
    lifecycle,
    metrics,
    logger,
    pingIntervalMs: settings.WS_PING_INTERVAL_MS,
    maxMessageBytes: settings.WS_MAX_MESSAGE_BYTES,
  });
  const scans = createScansModule({
    db: database.db,
    blobs: blobs.store,
    jobs,
    events,
    llm: platform.llm,
    audit: platform.audit,
    progress,
    metrics,
    logger,
    settings,
  });
  const scansWorker = options.processJobs ? scans.startWorker() : undefined;
  const stars = await openStarsStore(platform);
  platform.health.register(stars.health);
  // The api role only enqueues; worker and all run the pipeline's jobs.
  const recordingsWorker = options.processJobs
    ? await registerRecordingsWorker({
        db: database.db,
        blobs: blobs.store,
        jobs,
        events,
        llm: platform.llm,
        health: platform.health,
        logger,
        settings,
      })
    : undefined;

  return {
    routes: [
      createFilesModule({
        store: blobs.store,
        container: settings.AZURE_STORAGE_CONTAINER,
        maxUploadBytes: settings.MAX_UPLOAD_MB * 1024 * 1024,
        sasTtlSeconds: blobs.sasTtlSeconds,
        health: blobs.health,
        region: settings.AZURE_REGION,
        ...(blobs.verifyLink ? { verifyLink: blobs.verifyLink } : {}),
      }),
      starsModule({ store: stars, cache: platform.cache, events, lifecycle, metrics, settings }),
      recordingsModule({
        db: database.db,
        blobs: blobs.store,
        jobs,
        events,
        lifecycle,
        metrics,
        logger,
        settings,
        progress,
      }),
      scans.routes,
      progress.module,
    ],
    stopWorkers: async () => {
      await Promise.all([recordingsWorker?.close(), scansWorker?.close()]);
    },
    close: () => stars.close(),
  };
}

/** STARS_STORE: the platform's database (PostgreSQL or PGlite), or Azure Table Storage. */
async function openStarsStore({ settings, database }: Platform): Promise<StarsStore> {
  let store: StarsStore;
  if (settings.STARS_STORE === 'postgres') {
    store = new PostgresStarsStore({ db: moduleDb<StarsTables>(database.db), driver: database.driver });
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
