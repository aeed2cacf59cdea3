// The scans module (seed 001, Crown Safe) as the composition root sees it: the ports it uses in,
// its HTTP surface (routes, share pages, the `scanId` topic of /ws) out. Its jobs run in
// scans-worker.ts.
import { errors } from '../../platform/errors/app-error.js';
import type { AppModule } from '../../http/app-types.js';
import { callerOf } from '../../http/caller.js';
import { uploadRateLimit } from '../../http/rate-limits.js';
import type { ProgressSocket } from '../../http/progress-socket.js';
import type { AuditLog } from '../../platform/audit/audit-log.js';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { ScansSettings } from './scans-settings.js';
import { moduleDb } from '../../platform/db/database.js';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { scanChannel, scanMessageOf } from './scan-events.js';
import { createScanSharesService } from './scan-shares-service.js';
import { createScanSharesStore } from './scan-shares-store.js';
import { registerScanSharesRoutes } from './scan-shares-routes.js';
import { registerScansRoutes } from './scans-routes.js';
import { createScansService } from './scans-service.js';
import { createScansStore, type ScansStore } from './scans-store.js';
import type { ScansTables } from './scans-tables.js';

export { scansMigrations } from './scans-migrations.js';
export { registerScansWorker, type ScansWorker, type ScansWorkerDeps } from './scans-worker.js';

export interface ScansModuleDeps {
  /** The platform's database handle, migrated with the platform's migrations and scansMigrations. */
  db: PlatformDb;
  /** The composed store: uploads count against the caller's quota. */
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'enqueue'>;
  audit: AuditLog;
  /** The app's shared /ws socket, where scans add the `scanId` topic. */
  progress: ProgressSocket;
  settings: ScansSettings;
  now?: () => Date;
}

/** The `scanId` topic of /ws: a caller sees the scans http/caller.ts lets them read. */
function addScanTopic(progress: ProgressSocket, store: ScansStore): void {
  progress.addTopic({
    key: 'scanId',
    noun: 'Scan',
    channel: scanChannel,
    async snapshot(id, request) {
      const caller = callerOf(request);
      const scan = await store.get(id);
      if (scan !== undefined && !caller.admin && scan.owner !== caller.id)
        throw errors.notYours(`Scan ${id} was not found.`);
      return scan === undefined ? undefined : scanMessageOf(scan);
    },
  });
}

export function scansModule(deps: ScansModuleDeps): AppModule {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const db = moduleDb<ScansTables>(deps.db);
  const store = createScansStore({ db, now });
  const container = settings.SCANS_CONTAINER;
  const maxImageBytes = settings.SCANS_MAX_IMAGE_MB * 1024 * 1024;
  const service = createScansService({
    store,
    blobs: deps.blobs,
    container,
    jobs: deps.jobs,
    maxImageBytes,
    jobAttempts: settings.SCANS_JOB_ATTEMPTS,
    retryDelayMs: settings.SCANS_RETRY_DELAY_MS,
    now,
  });
  const shares = createScanSharesService({
    shares: createScanSharesStore({ db, now }),
    scans: service,
    store,
    blobs: deps.blobs,
    container,
    audit: deps.audit,
    now,
  });
  addScanTopic(deps.progress, store);
  return async (app) => {
    await registerScansRoutes(app, { service, maxImageBytes, uploadLimit: uploadRateLimit(settings) });
    registerScanSharesRoutes(app, {
      shares,
      now,
      ...(settings.SCANS_PUBLIC_BASE_URL === undefined
        ? {}
        : { publicBaseUrl: settings.SCANS_PUBLIC_BASE_URL }),
    });
  };
}
