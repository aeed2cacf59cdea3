// Which business modules each role runs, wired from the platform's ports. A module gets exactly
// the ports it uses, as a typed object; none of them knows which driver it got.
import type { AppModule } from '../http/app-types.js';
import { filesModule } from '../modules/files/files-module.js';
import { recordingsModule, registerRecordingsWorker } from '../modules/recordings/recordings-module.js';
import { PostgresStarsStore, type StarsTables } from '../modules/stars/postgres-stars-store.js';
import { starsModule } from '../modules/stars/stars-module.js';
import type { StarsStore } from '../modules/stars/stars-store.js';
import { moduleDb } from '../platform/db/database.js';
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
  const { blobs, database, jobs, events, lifecycle, metrics, logger } = platform;
  const { settings } = options;
  const stars = await openStarsStore(platform, settings);
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
      filesModule({
        blobs: blobs.store,
        health: blobs.health,
        settings,
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
      }),
    ],
    stopWorkers: async () => recordingsWorker?.close(),
    close: () => stars.close(),
  };
}

/** STARS_STORE: the platform's database (PostgreSQL or PGlite), or Azure Table Storage. */
async function openStarsStore({ database }: Platform, settings: AzimuthSettings): Promise<StarsStore> {
  let store: StarsStore;
  if (settings.STARS_STORE === 'postgres') {
    store = new PostgresStarsStore({ db: moduleDb<StarsTables>(database.db), driver: database.driver });
  } else {
    // Loaded only when chosen: the Table Storage driver brings the Azure SDK with it.
    const [{ createStarsStore }, { tablesAuthFrom }] = await Promise.all([
      import('../modules/stars/stars-store-factory.js'),
      import('../modules/stars/tables-client-factory.js'),
    ]);
    store = createStarsStore({
      store: 'tables',
      tablePrefix: settings.STARS_TABLE_PREFIX,
      auth: tablesAuthFrom({
        connectionString: settings.AZURE_STORAGE_CONNECTION_STRING,
        accountName: settings.AZURE_STORAGE_ACCOUNT_NAME,
        accountKey: settings.AZURE_STORAGE_ACCOUNT_KEY,
        tableUrl: settings.AZURE_STORAGE_TABLE_URL,
        blobAccountUrl: settings.AZURE_STORAGE_ACCOUNT_URL,
        useManagedIdentity: settings.AZURE_STORAGE_USE_MANAGED_IDENTITY,
      }),
    });
  }
  await store.init();
  return store;
}
