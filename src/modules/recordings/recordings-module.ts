// The recordings module (seed 002) as roles/ composes it: its HTTP surface (routes and the
// `recordingId` topic of the /ws socket) over explicit ports, and, for the worker and all roles, its
// jobs (recordings-worker.ts) and its migrations.
import type { AppModule } from '../../http/app-types.js';
import type { ProgressSocket } from '../../http/progress-socket.js';
import { moduleDb } from '../../platform/db/database.js';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { callerOf } from '../../http/caller.js';
import { uploadRateLimit } from '../../http/rate-limits.js';
import { registerRecordingsRoutes } from './recordings-routes.js';
import type { RecordingsSettings } from './recordings-settings.js';
import { createRecordingsService } from './recordings-service.js';
import { messageOf, recordingChannel } from './recording-events.js';
import { createRecordingsStore } from './recordings-store.js';
import type { RecordingsTables } from './recordings-tables.js';

export { recordingsMigrations } from './recordings-migrations.js';
export {
  registerRecordingsWorker,
  type RecordingsWorker,
  type RecordingsWorkerDeps,
} from './recordings-worker.js';
import { errors } from '../../platform/errors/app-error.js';
export type { PipelinePoint } from './recording-pipeline.js';
export type { RecordingMessage } from './recording-events.js';

export type RecordingsModuleSettings = Pick<
  RecordingsSettings,
  | 'RECORDINGS_CONTAINER'
  | 'MAX_UPLOAD_MB'
  | 'RECORDINGS_JOB_ATTEMPTS'
  | 'RECORDINGS_RETRY_DELAY_MS'
  | 'BLOB_SAS_TTL_SECONDS'
  | 'UPLOAD_RATE_LIMIT_MAX_REQUESTS'
  | 'UPLOAD_RATE_LIMIT_WINDOW_MS'
>;

export interface RecordingsModuleDeps {
  /** The platform's database handle, migrated with recordingsMigrations. */
  db: PlatformDb;
  /** The composed store (quota, instrumentation, resilience): uploads count against the caller's quota. */
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'enqueue'>;
  logger: Logger;
  settings: RecordingsModuleSettings;
  /** The app's shared /ws socket, where recordings add the `recordingId` topic. */
  progress: ProgressSocket;
  now?: () => Date;
}

export function recordingsModule(deps: RecordingsModuleDeps): AppModule {
  const { settings } = deps;
  const store = createRecordingsStore({
    db: moduleDb<RecordingsTables>(deps.db),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  const maxUploadBytes = settings.MAX_UPLOAD_MB * 1024 * 1024;
  const service = createRecordingsService({
    store,
    blobs: deps.blobs,
    container: settings.RECORDINGS_CONTAINER,
    jobs: deps.jobs,
    logger: deps.logger,
    maxUploadBytes,
    jobAttempts: settings.RECORDINGS_JOB_ATTEMPTS,
    retryDelayMs: settings.RECORDINGS_RETRY_DELAY_MS,
    sasTtlSeconds: settings.BLOB_SAS_TTL_SECONDS,
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  deps.progress.addTopic({
    key: 'recordingId',
    noun: 'Recording',
    channel: recordingChannel,
    async snapshot(id, request) {
      const owner = callerOf(request).id;
      const recording = await store.get(id);
      if (recording !== undefined && recording.owner !== owner)
        throw errors.notYours(`Recording ${id} was not found.`);
      return recording === undefined ? undefined : messageOf(recording);
    },
  });
  return (app) =>
    registerRecordingsRoutes(app, { service, maxUploadBytes, uploadLimit: uploadRateLimit(settings) });
}
