// The recordings use cases behind the HTTP API: upload (type checked by magic bytes, size and
// quota enforced while streaming), list, read with short-lived links, delete, retry. Callers see
// only their own recordings; someone else's answers 404, as if it did not exist.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobRef, BlobStore, SasLink } from '../../platform/blob/blob-store.js';
import { limitBodySize } from '../../platform/blob/size-limited-body.js';
import { errors } from '../../platform/errors/app-error.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { AUDIO_SIGNATURE_BYTES, detectAudioFormat } from './audio-format.js';
import { initialStages, zeroCost, type Recording, type Stages } from './recording.js';
import { recordingBlobs, removeRecordingBlobs } from './recording-blobs.js';
import { RECORDING_JOB, type RecordingJobPayload } from './recording-job.js';
import type { RecordingsPage, RecordingsStore } from './recordings-store.js';
import { peekStream } from './stream-head.js';

/** SAS links handed out with a recording live this long at most (short: they are re-issued on every read). */
export const RECORDING_LINK_SECONDS = 900;

export interface RecordingsServiceDeps {
  store: RecordingsStore;
  /** The blob store with the upload quota applied (the caller's quota counts the original). */
  blobs: BlobStore;
  container: string;
  jobs: Pick<JobQueue, 'enqueue'>;
  logger: Logger;
  /** MAX_UPLOAD_MB in bytes. */
  maxUploadBytes: number;
  /** RECORDINGS_JOB_ATTEMPTS. */
  jobAttempts: number;
  /** RECORDINGS_RETRY_DELAY_MS. */
  retryDelayMs: number;
  /** BLOB_SAS_TTL_SECONDS; links last the shorter of this and RECORDING_LINK_SECONDS. */
  sasTtlSeconds: number;
  now?: () => Date;
}

export interface NewUpload {
  owner: string;
  /** Whose upload quota the original counts against (the caller's). */
  quotaSubject: string;
  title?: string;
  language?: string;
  body: Readable;
  filename?: string;
  /** True once the multipart parser cut the file at its size limit. */
  truncated?: () => boolean;
}

export interface RecordingLinks {
  original: string;
  compressed: string | null;
  metadata: string | null;
  expiresOn: string;
}

export type RecordingsService = ReturnType<typeof createRecordingsService>;

export function createRecordingsService(deps: RecordingsServiceDeps) {
  const { store, blobs, container } = deps;
  const now = deps.now ?? (() => new Date());
  const ref = (name: string): BlobRef => ({ container, name });
  const maxMb = Math.round(deps.maxUploadBytes / 1024 / 1024);

  const enqueue = (id: string, jobId: string) =>
    deps.jobs.enqueue(
      RECORDING_JOB,
      { recordingId: id, attempts: deps.jobAttempts } satisfies RecordingJobPayload,
      {
        jobId,
        attempts: deps.jobAttempts,
        backoff: { type: 'exponential', delayMs: deps.retryDelayMs },
      },
    );

  const owned = async (id: string, owner: string): Promise<Recording> => {
    const recording = await store.get(id);
    if (recording === undefined) throw errors.notFound(`Recording ${id} was not found.`);
    if (recording.owner !== owner) throw errors.notYours(`Recording ${id} was not found.`);
    return recording;
  };

  return {
    async create(upload: NewUpload): Promise<Recording> {
      const head = await peekStream(upload.body, AUDIO_SIGNATURE_BYTES);
      const format = detectAudioFormat(head);
      if (format === undefined) {
        upload.body.resume();
        throw errors.unsupportedMediaType(
          'The file is not audio this service accepts (mp3, wav, m4a/mp4, ogg/opus, webm, flac), judged by its first bytes.',
        );
      }
      const id = randomUUID();
      const body = limitBodySize(upload.body, {
        maxBytes: deps.maxUploadBytes,
        tooLarge: () =>
          errors.payloadTooLarge(`The file exceeds the ${maxMb} MB upload limit.`, {
            extensions: { limitBytes: deps.maxUploadBytes },
          }),
        ...(upload.truncated === undefined ? {} : { truncated: upload.truncated }),
      });
      const name = recordingBlobs.original(id, format.ext);
      const properties = await blobs.upload(ref(name), body, {
        contentType: format.contentType,
        metadata: { recordingId: id },
        quotaSubject: upload.quotaSubject,
      });
      const title = upload.title?.trim() || upload.filename?.trim() || `Recording ${now().toISOString()}`;
      let recording: Recording;
      try {
        recording = await store.insert({
          id,
          owner: upload.owner,
          title: title.slice(0, 200),
          language: upload.language ?? null,
          originalExt: format.ext,
          contentType: format.contentType,
          sizeBytes: properties.size,
          stages: initialStages(),
          cost: zeroCost(),
          createdAt: now(),
        });
        await enqueue(id, id);
      } catch (error) {
        // No row (or no job) for this upload: take the blob away rather than leave it to the sweep.
        await store.delete(id).catch(() => undefined);
        await blobs.delete(ref(name)).catch(() => undefined);
        throw error;
      }
      return recording;
    },

    list(owner: string, page: { limit: number; cursor?: string }): Promise<RecordingsPage> {
      return store.list(owner, page);
    },

    get: owned,

    /** Read links to the recording's blobs that exist now. */
    async links(recording: Recording): Promise<RecordingLinks> {
      const expiresInSeconds = Math.min(RECORDING_LINK_SECONDS, deps.sasTtlSeconds);
      const sas = (name: string): Promise<SasLink> =>
        blobs.sasUrl(ref(name), { permissions: 'r', expiresInSeconds });
      const original = await sas(recordingBlobs.original(recording.id, recording.originalExt));
      const compressed =
        recording.stages.compress.state === 'done'
          ? await sas(recordingBlobs.compressed(recording.id))
          : null;
      const metadata =
        recording.status === 'completed' ? await sas(recordingBlobs.metadata(recording.id)) : null;
      return {
        original: original.url,
        compressed: compressed?.url ?? null,
        metadata: metadata?.url ?? null,
        expiresOn: original.expiresOn.toISOString(),
      };
    },

    /** Deletes the row first, so a job still running stops at its next step, then every blob. */
    async delete(id: string, owner: string): Promise<void> {
      await owned(id, owner);
      await store.delete(id);
      await removeRecordingBlobs(blobs, container, id);
    },

    /** Runs a failed recording again from the stage that failed; 409 when it is not failed. */
    async retry(id: string, owner: string): Promise<Recording> {
      const recording = await owned(id, owner);
      if (recording.status !== 'failed')
        throw errors.conflict(
          `Recording ${id} is ${recording.status}; only a failed recording can be retried.`,
        );
      const stages: Stages = Object.fromEntries(
        Object.entries(recording.stages).map(([name, stage]) => [
          name,
          stage.state === 'failed' ? { state: 'pending' } : stage,
        ]),
      ) as Stages;
      const requeued = await store.requeueFailed(id, stages);
      if (requeued === undefined) throw errors.conflict(`Recording ${id} is no longer failed.`);
      // The failed job is kept by the queue under the recording's id, so a retry needs its own id.
      await enqueue(id, `${id}-retry-${requeued.retries}`);
      return requeued;
    },
  };
}
