// The job that turns an uploaded recording into compressed audio, a transcript, insights and
// metadata.json: a loop over the stages in `stages/`. Each stage is skipped when its outcome is
// already recorded, blob names are fixed per recording and rows are updated in place, so a job
// retried after a crash at any point ends with one set of blobs and one result.
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { JobContext } from '../../platform/jobs/job-queue.js';
import type { LlmCallLedger } from '../../platform/llm/llm-call-ledger.js';
import type { LlmProvider } from '../../platform/llm/llm-provider.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { isPermanentFailure } from '../../platform/errors/permanent-failure.js';
import type { Ffmpeg } from './ffmpeg.js';
import type { OwnedTemp } from '../../platform/temp/owned-temp.js';
import type { Recording, StageName } from './recording.js';
import { removeRecordingBlobs } from './recording-blobs.js';
import { updateAndAnnounce } from './recording-events.js';
import type { RecordingJobPayload } from './recording-job.js';
import type { RecordingsStore } from './recordings-store.js';
import { analyseStage } from './stages/analyse-stage.js';
import { compressStage } from './stages/compress-stage.js';
import { finishStage } from './stages/finish-stage.js';
import { createRunContext, isRecordingGone } from './stages/run-context.js';
import { isPipelineStage, type PipelinePoint, type Stage } from './stages/stage.js';
import { transcribeStage } from './stages/transcribe-stage.js';

export type { PipelinePoint } from './stages/stage.js';

export interface RecordingPipelineDeps {
  store: RecordingsStore;
  blobs: BlobStore;
  /** RECORDINGS_CONTAINER. */
  container: string;
  events: EventPublisher;
  llm: LlmProvider;
  /** Records every provider call's cost once (platform/llm/llm-call-ledger.ts). */
  ledger: LlmCallLedger;
  ffmpeg: Ffmpeg;
  logger: Logger;
  /** RECORDINGS_AUDIO_BITRATE_KBPS. */
  bitrateKbps: number;
  /** Largest audio sent in one transcription; MAX_TRANSCRIPTION_UPLOAD_BYTES in production. */
  chunkBytes: number;
  /** Where each job's temporary directory is made (and removed). */
  tempDirs: OwnedTemp;
  /** Fault injection for tests: throwing here fails the job at that point. */
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  now?: () => Date;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createRecordingPipeline(deps: RecordingPipelineDeps) {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const stages: Stage[] = [
    compressStage({ ffmpeg: deps.ffmpeg, bitrateKbps: deps.bitrateKbps }),
    transcribeStage({ llm: deps.llm, ffmpeg: deps.ffmpeg, chunkBytes: deps.chunkBytes, ledger: deps.ledger }),
    analyseStage({ llm: deps.llm, ledger: deps.ledger }),
    finishStage({ bitrateKbps: deps.bitrateKbps }),
  ];

  /**
   * On the queue's last attempt, or on a failure no attempt can change (an upload ffmpeg refuses),
   * the recording is marked failed, naming the stage and the reason; earlier ones only log.
   */
  async function recordFailure(
    job: JobContext<RecordingJobPayload>,
    recording: Recording,
    stage: StageName,
    error: unknown,
  ): Promise<void> {
    const id = recording.id;
    const last = isPermanentFailure(error) || job.attemptsMade + 1 >= job.payload.attempts;
    logger.warn(
      { err: error, recordingId: id, stage, attempt: job.attemptsMade + 1, last },
      'recording step failed',
    );
    if (!last) return;
    const failedStage = isPipelineStage(stage)
      ? { stages: { ...recording.stages, [stage]: { state: 'failed', reason: errorMessage(error) } } }
      : {};
    // Calls left in doubt by this job's attempts will never be settled by a later one.
    await deps.ledger
      .abandon(`recording:${id}`)
      .catch((cause: unknown) => logger.warn({ err: cause, recordingId: id }, 'could not close the ledger'));
    await updateAndAnnounce({ store, events: deps.events }, id, {
      status: 'failed',
      error: `${stage}: ${errorMessage(error)}`,
      ...failedStage,
    }).catch((cause: unknown) =>
      logger.error({ err: cause, recordingId: id }, 'could not record the failure'),
    );
  }

  async function run(job: JobContext<RecordingJobPayload>): Promise<void> {
    const initial = await store.get(job.payload.recordingId);
    if (initial === undefined || initial.status === 'completed') return;
    const dir = await deps.tempDirs.open(initial.id);
    const context = createRunContext({ ...deps, job, recording: initial, dir: dir.path, now });
    let current: StageName = initial.stage;
    try {
      for (const stage of stages) {
        current = stage.name;
        if (!(await stage.pending(context))) continue;
        if (isPipelineStage(stage.name)) await context.progress(stage.name, 0);
        await stage.run(context);
        if (isPipelineStage(stage.name)) await context.progress(stage.name, 100);
      }
    } catch (error) {
      if (!isRecordingGone(error)) {
        await recordFailure(job, context.recording, current, error);
        // Recorded as failed for good: the queue is told the job is done, so it is not run again.
        if (isPermanentFailure(error)) return;
        throw error;
      }
      logger.info({ recordingId: initial.id }, 'recording deleted while processing; its blobs are removed');
      await removeRecordingBlobs(deps.blobs, deps.container, initial.id).catch(() => undefined);
    } finally {
      await dir.remove();
    }
  }

  return { run };
}
