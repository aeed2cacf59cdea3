// The worker side of the recordings module: runs recording jobs (RECORDINGS_CONCURRENCY at once)
// and the retention sweep, scheduled once across every instance. On start it removes the temporary
// directories a killed worker left behind.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleDb } from '../../platform/db/database.js';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { RecordingsSettings } from './recordings-settings.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { OutboxWriter } from '../../platform/outbox/outbox.js';
import type { HealthRegistry } from '../../platform/health/health-registry.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { createLlmCallLedger } from '../../platform/llm/llm-call-ledger.js';
import { MAX_TRANSCRIPTION_UPLOAD_BYTES, type LlmProvider } from '../../platform/llm/llm-provider.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { requestContext } from '../../platform/telemetry/request-context.js';
import { createFfmpeg, type Ffmpeg } from './ffmpeg.js';
import { createOwnedTemp } from '../../platform/temp/owned-temp.js';
import { wasmFfmpegCommand } from './wasm-ffmpeg.js';
import { RECORDING_JOB, type RecordingJobPayload } from './recording-job.js';
import { createRecordingPipeline, type PipelinePoint } from './recording-pipeline.js';
import { createRecordingsStore } from './recordings-store.js';
import type { RecordingsTables } from './recordings-tables.js';
import { createRetentionSweep, RETENTION_JOB } from './recordings-retention.js';

export type RecordingsWorkerSettings = Pick<
  RecordingsSettings,
  | 'RECORDINGS_CONTAINER'
  | 'RECORDINGS_CONCURRENCY'
  | 'RECORDINGS_RETENTION_DAYS'
  | 'RECORDINGS_SWEEP_INTERVAL_MS'
  | 'RECORDINGS_AUDIO_BITRATE_KBPS'
  | 'FFMPEG_PATH'
  | 'FFMPEG_TIMEOUT_MS'
  | 'FFMPEG_MAX_OUTPUT_MB'
>;

export interface RecordingsWorkerDeps {
  /** The platform's database handle, migrated with the platform's migrations and recordingsMigrations. */
  db: PlatformDb;
  /** The composed store; jobs run outside any request, so no upload quota applies to them. */
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'process' | 'schedule'>;
  /** Where progress events go when there is no outbox (tests); the outbox's publisher in the roles. */
  events: EventPublisher;
  /** Progress events written with their update, in one transaction (the roles always give it). */
  outbox?: OutboxWriter;
  llm: LlmProvider;
  /** Gets the `ffmpeg` check (optional: degraded when ffmpeg is missing). */
  health: Pick<HealthRegistry, 'register' | 'checks'>;
  logger: Logger;
  settings: RecordingsWorkerSettings;
  /** Tests: a smaller transcription piece size than MAX_TRANSCRIPTION_UPLOAD_BYTES. */
  chunkBytes?: number;
  /** Where jobs make their temporary directories; default `{os temp dir}/azimuth`. */
  tempDir?: string;
  /** Tests: another ffmpeg (the default spawns FFMPEG_PATH, else the WebAssembly build). */
  ffmpeg?: Ffmpeg;
  /** Tests: throw at a pipeline point to fail the job there. */
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  now?: () => Date;
}

export interface RecordingsWorker {
  /** Runs one retention sweep now (the schedule runs it every RECORDINGS_SWEEP_INTERVAL_MS). */
  sweep(): Promise<{ expired: number; orphans: number }>;
  /** Stops taking jobs and waits for running ones; the shared schedule stays for other instances. */
  close(): Promise<void>;
}

export async function registerRecordingsWorker(deps: RecordingsWorkerDeps): Promise<RecordingsWorker> {
  const { settings, logger } = deps;
  const now = deps.now === undefined ? {} : { now: deps.now };
  const store = createRecordingsStore({
    db: moduleDb<RecordingsTables>(deps.db),
    ...now,
    ...(deps.outbox === undefined ? {} : { outbox: deps.outbox }),
  });
  const ffmpeg =
    deps.ffmpeg ??
    createFfmpeg({
      path: settings.FFMPEG_PATH,
      wasm: wasmFfmpegCommand,
      limits: {
        timeoutMs: settings.FFMPEG_TIMEOUT_MS,
        maxOutputBytes: settings.FFMPEG_MAX_OUTPUT_MB * 1024 * 1024,
      },
      logger,
    });
  if (!deps.health.checks.some((check) => check.name === ffmpeg.check.name))
    deps.health.register(ffmpeg.check);
  const found = await ffmpeg.availability();
  if (!found.ok)
    logger.warn({ reason: found.reason }, 'ffmpeg not found: recordings will be stored uncompressed');
  const tempDirs = createOwnedTemp({
    root: deps.tempDir ?? join(tmpdir(), 'azimuth'),
    prefix: 'recording',
  });
  const stale = await tempDirs.removeStale();
  if (stale.length > 0)
    logger.info({ removed: stale.length }, 'removed temporary directories of stopped workers');

  const pipeline = createRecordingPipeline({
    store,
    blobs: deps.blobs,
    container: settings.RECORDINGS_CONTAINER,
    events: deps.events,
    llm: deps.llm,
    ledger: createLlmCallLedger({ db: deps.db, ...now }),
    ffmpeg,
    logger,
    bitrateKbps: settings.RECORDINGS_AUDIO_BITRATE_KBPS,
    chunkBytes: deps.chunkBytes ?? MAX_TRANSCRIPTION_UPLOAD_BYTES,
    tempDirs,
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
    ...now,
  });
  const retention = createRetentionSweep({
    store,
    blobs: deps.blobs,
    container: settings.RECORDINGS_CONTAINER,
    retentionDays: settings.RECORDINGS_RETENTION_DAYS,
    logger,
    ...now,
  });

  const processing = deps.jobs.process<RecordingJobPayload>(
    RECORDING_JOB,
    // A job enqueued in-process inherits the request's context; a fresh one keeps the uploader's
    // quota and identity off the worker's own blob writes, and tags its log lines.
    (job) =>
      requestContext.run({ correlationId: `recording-${job.payload.recordingId}` }, () => pipeline.run(job)),
    { concurrency: settings.RECORDINGS_CONCURRENCY },
  );
  const sweeping = deps.jobs.process(RETENTION_JOB, () =>
    requestContext.run({ correlationId: RETENTION_JOB }, () => retention.sweep()),
  );
  await deps.jobs.schedule(RETENTION_JOB, {
    id: RETENTION_JOB,
    everyMs: settings.RECORDINGS_SWEEP_INTERVAL_MS,
  });

  return {
    sweep: () => retention.sweep(),
    async close() {
      await Promise.all([processing.close(), sweeping.close()]);
    },
  };
}
