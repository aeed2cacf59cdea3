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
import { initialStages, zeroCost, type Recording } from './recording.js';
import { recordingBlobs, removeRecordingBlobs } from './recording-blobs.js';
import { RECORDING_JOB, type RecordingJobPayload } from './recording-job.js';
import type { RecordingsPage, RecordingsStore } from './recordings-store.js';
import { peekStream } from '../../platform/streams/stream-head.js';

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

/** What every use case works over. */
interface ServiceDeps extends RecordingsServiceDeps {
  now: () => Date;
  ref: (name: string) => BlobRef;
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

const enqueue = (deps: ServiceDeps, id: string, jobId: string) =>
  deps.jobs.enqueue(
    RECORDING_JOB,
    { recordingId: id, attempts: deps.jobAttempts } satisfies RecordingJobPayload,
    { jobId, attempts: deps.jobAttempts, backoff: { type: 'exponential', delayMs: deps.retryDelayMs } },
  );

async function owned({ store }: ServiceDeps, id: string, owner: string): Promise<Recording> {
  const recording = await store.get(id);
  if (recording === undefined) throw errors.notFound(`Recording ${id} was not found.`);
  if (recording.owner !== owner) throw errors.notYours(`Recording ${id} was not found.`);
  return recording;
}

/** The upload's audio format, judged by its first bytes; 415 for anything else. */
async function audioFormatOf(upload: NewUpload) {
  const format = detectAudioFormat(await peekStream(upload.body, AUDIO_SIGNATURE_BYTES));
  if (format !== undefined) return format;
  upload.body.resume();
  throw errors.unsupportedMediaType(
    'The file is not audio this service accepts (mp3, wav, m4a/mp4, ogg/opus, webm, flac), judged by its first bytes.',
  );
}

/**
 * A title from client text (the form's title or the file's name) without control characters:
 * PostgreSQL text cannot hold NUL, and a title is shown, never parsed.
 */
const titleText = (text: string | undefined) => text?.replace(/\p{Cc}/gu, '').trim() ?? '';

/** Streams the original to storage (size and quota enforced), then writes its row and queues its job. */
async function create(deps: ServiceDeps, upload: NewUpload): Promise<Recording> {
  const format = await audioFormatOf(upload);
  const id = randomUUID();
  const body = limitBodySize(upload.body, {
    maxBytes: deps.maxUploadBytes,
    tooLarge: () =>
      errors.payloadTooLarge(
        `The file exceeds the ${Math.round(deps.maxUploadBytes / 1024 / 1024)} MB upload limit.`,
        { extensions: { limitBytes: deps.maxUploadBytes } },
      ),
    ...(upload.truncated === undefined ? {} : { truncated: upload.truncated }),
  });
  const name = recordingBlobs.original(id, format.ext);
  const properties = await deps.blobs.upload(deps.ref(name), body, {
    contentType: format.contentType,
    metadata: { recordingId: id },
    quotaSubject: upload.quotaSubject,
  });
  const title =
    titleText(upload.title) || titleText(upload.filename) || `Recording ${deps.now().toISOString()}`;
  try {
    const recording = await deps.store.insert({
      id,
      owner: upload.owner,
      title: title.slice(0, 200),
      language: upload.language ?? null,
      originalExt: format.ext,
      contentType: format.contentType,
      sizeBytes: properties.size,
      stages: initialStages(),
      cost: zeroCost(),
      createdAt: deps.now(),
    });
    await enqueue(deps, id, id);
    return recording;
  } catch (error) {
    // No row (or no job) for this upload: take the blob away rather than leave it to the sweep.
    await deps.store.delete(id).catch(() => undefined);
    await deps.blobs.delete(deps.ref(name)).catch(() => undefined);
    throw error;
  }
}

/** Read links to the recording's blobs that exist now. */
async function links(deps: ServiceDeps, recording: Recording): Promise<RecordingLinks> {
  const expiresInSeconds = Math.min(RECORDING_LINK_SECONDS, deps.sasTtlSeconds);
  const sas = (name: string): Promise<SasLink> =>
    deps.blobs.sasUrl(deps.ref(name), { permissions: 'r', expiresInSeconds });
  const original = await sas(recordingBlobs.original(recording.id, recording.originalExt));
  const compressed =
    recording.stages.compress.state === 'done' ? await sas(recordingBlobs.compressed(recording.id)) : null;
  const metadata = recording.status === 'completed' ? await sas(recordingBlobs.metadata(recording.id)) : null;
  return {
    original: original.url,
    compressed: compressed?.url ?? null,
    metadata: metadata?.url ?? null,
    expiresOn: original.expiresOn.toISOString(),
  };
}

/** Deletes the row first, so a job still running stops at its next step, then every blob. */
async function remove(deps: ServiceDeps, id: string, owner: string): Promise<void> {
  await owned(deps, id, owner);
  await deps.store.delete(id);
  await removeRecordingBlobs(deps.blobs, deps.container, id);
}

/** Runs a failed recording again from the stage that failed; 409 when it is not failed. */
async function retry(deps: ServiceDeps, id: string, owner: string): Promise<Recording> {
  const recording = await owned(deps, id, owner);
  if (recording.status !== 'failed')
    throw errors.conflict(`Recording ${id} is ${recording.status}; only a failed recording can be retried.`);
  const requeued = await deps.store.requeueFailed(id, recording.stages);
  if (requeued === undefined) throw errors.conflict(`Recording ${id} is no longer failed.`);
  // The failed job is kept by the queue under the recording's id, so a retry needs its own id.
  await enqueue(deps, id, `${id}-retry-${requeued.retries}`);
  return requeued;
}

export type RecordingsService = ReturnType<typeof createRecordingsService>;

export function createRecordingsService(options: RecordingsServiceDeps) {
  const { container } = options;
  const deps: ServiceDeps = {
    ...options,
    now: options.now ?? (() => new Date()),
    ref: (name) => ({ container, name }),
  };
  return {
    create: (upload: NewUpload) => create(deps, upload),
    list: (owner: string, page: { limit: number; cursor?: string }): Promise<RecordingsPage> =>
      deps.store.list(owner, page),
    get: (id: string, owner: string) => owned(deps, id, owner),
    links: (recording: Recording) => links(deps, recording),
    delete: (id: string, owner: string) => remove(deps, id, owner),
    retry: (id: string, owner: string) => retry(deps, id, owner),
  };
}
