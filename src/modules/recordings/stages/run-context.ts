// Builds the context one run of a recording job gives its stages: the row kept current through
// every update, progress told to the queue and to watchers, and the recording's blobs with local
// copies in the job's directory.
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobRef, BlobStore } from '../../../platform/blob/blob-store.js';
import type { EventPublisher } from '../../../platform/events/event-bus.js';
import type { JobContext } from '../../../platform/jobs/job-queue.js';
import type { Logger } from '../../../platform/telemetry/logger.js';
import { statusOfStage, type Recording } from '../recording.js';
import { updateAndAnnounce } from '../recording-events.js';
import type { RecordingJobPayload } from '../recording-job.js';
import type { RecordingsStore } from '../recordings-store.js';
import type { PipelinePoint, RunBlobs, RunContext } from './stage.js';

export interface RunContextOptions {
  job: JobContext<RecordingJobPayload>;
  recording: Recording;
  store: RecordingsStore;
  blobs: BlobStore;
  container: string;
  events: EventPublisher;
  /** The job's temporary directory. */
  dir: string;
  logger: Logger;
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  now: () => Date;
}

/** The recording was deleted while its job ran: stop quietly. */
export class RecordingGoneError extends Error {
  readonly isRecordingGone = true;
}

export const isRecordingGone = (error: unknown): error is RecordingGoneError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isRecordingGone?: unknown }).isRecordingGone === true;

function runBlobs(blobs: BlobStore, container: string, dir: string): RunBlobs {
  const ref = (name: string): BlobRef => ({ container, name });
  const local = new Map<string, string>();
  return {
    exists: (name) => blobs.exists(ref(name)),
    async local(name) {
      const known = local.get(name);
      if (known !== undefined) return known;
      const path = join(dir, basename(name));
      const download = await blobs.download(ref(name));
      await pipeline(download.stream, createWriteStream(path));
      local.set(name, path);
      return path;
    },
    async put(name, body, contentType) {
      const properties = await blobs.upload(
        ref(name),
        Buffer.isBuffer(body) ? body : createReadStream(body.path),
        { contentType },
      );
      if (!Buffer.isBuffer(body)) local.set(name, body.path);
      return properties;
    },
  };
}

export function createRunContext(options: RunContextOptions): RunContext {
  const { job, store, events } = options;
  const id = options.recording.id;
  let recording = options.recording;

  const update: RunContext['update'] = async (changes, updateOptions = {}) => {
    const next =
      updateOptions.announce === true
        ? await updateAndAnnounce({ store, events }, id, changes)
        : await store.update(id, changes);
    if (next === undefined) throw new RecordingGoneError(`recording ${id} was deleted`);
    recording = next;
    return next;
  };

  return {
    id,
    get recording() {
      return recording;
    },
    update,
    async progress(stage, percent, changes = {}) {
      const rounded = Math.round(percent);
      await update({ status: statusOfStage[stage], stage, percent: rounded, ...changes }, { announce: true });
      await job.progress({ stage, percent: rounded });
    },
    finished: (stage, state, reason) => ({
      ...recording.stages,
      [stage]: {
        state,
        ...(reason === undefined ? {} : { reason }),
        finishedAt: options.now().toISOString(),
      },
    }),
    async completed() {
      // Watchers heard of the completion with the update that recorded it (finish-stage.ts).
      await job.progress({ stage: 'complete', percent: 100 });
    },
    blobs: runBlobs(options.blobs, options.container, options.dir),
    dir: options.dir,
    logger: options.logger,
    fault: async (point) => options.faults?.(point, id),
    now: options.now,
  };
}
