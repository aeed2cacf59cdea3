// The job that turns an uploaded recording into compressed audio, a transcript, insights and
// metadata.json. Each stage is skipped when its output is already recorded, blob names are fixed
// per recording and rows are updated in place, so a job retried after a crash at any point ends
// with one set of blobs and one result.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobRef, BlobStore } from '../../platform/blob/blob-store.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import type { JobContext } from '../../platform/jobs/job-queue.js';
import type { LlmCost, LlmProvider } from '../../platform/llm/llm-provider.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import type { Ffmpeg } from './ffmpeg.js';
import { insightsInstructions, InsightsSchema } from './insights.js';
import {
  recordingBlobs,
  statusOfStage,
  type PipelineStage,
  type Recording,
  type RecordingCost,
  type StageName,
  type Stages,
  type Transcript,
} from './recording.js';
import { publishRecording } from './recording-events.js';
import type { RecordingChanges, RecordingsStore } from './recordings-store.js';

export const NO_PROVIDER = 'no provider configured';

/** Where a test may inject a fault: after each step's effect, before the next one. */
export type PipelinePoint =
  | 'downloaded'
  | 'compressed'
  | 'compressed-uploaded'
  | 'compress-recorded'
  | 'transcribed'
  | 'transcript-recorded'
  | 'analysed'
  | 'insights-recorded'
  | 'metadata-written';

export interface RecordingJobPayload {
  recordingId: string;
  /** Tries the queue makes; the last failing one marks the recording failed. */
  attempts: number;
}

export interface RecordingPipelineDeps {
  store: RecordingsStore;
  blobs: BlobStore;
  /** RECORDINGS_CONTAINER. */
  container: string;
  events: EventBus;
  llm: LlmProvider;
  ffmpeg: Ffmpeg;
  logger: Logger;
  /** RECORDINGS_AUDIO_BITRATE_KBPS. */
  bitrateKbps: number;
  /** Largest audio sent in one transcription; MAX_TRANSCRIPTION_UPLOAD_BYTES in production. */
  chunkBytes: number;
  /** Where temporary audio files go; the OS temp dir by default. */
  tmpDir?: string;
  /** Fault injection for tests: throwing here fails the job at that point. */
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  now?: () => Date;
}

/** The recording was deleted while its job ran: stop quietly. */
class RecordingGoneError extends Error {
  readonly isRecordingGone = true;
}

const isRecordingGone = (error: unknown): error is RecordingGoneError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isRecordingGone?: unknown }).isRecordingGone === true;

const addCost = (a: LlmCost | null, b: LlmCost): LlmCost =>
  a === null
    ? { ...b }
    : {
        usd: a.usd + b.usd,
        model: a.model,
        inputTokens: a.inputTokens + b.inputTokens,
        outputTokens: a.outputTokens + b.outputTokens,
        audioSeconds: a.audioSeconds + b.audioSeconds,
      };

const withTotal = (cost: Omit<RecordingCost, 'totalUsd'>): RecordingCost => ({
  ...cost,
  totalUsd: Math.round(((cost.transcription?.usd ?? 0) + (cost.analysis?.usd ?? 0)) * 1e6) / 1e6,
});

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Most a transcript sent for analysis may hold; longer ones are cut (and the prompt says so). */
const MAX_ANALYSIS_CHARS = 200_000;

export function createRecordingPipeline(deps: RecordingPipelineDeps) {
  const { store, blobs, llm, ffmpeg, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const ref = (name: string): BlobRef => ({ container: deps.container, name });
  const fault = async (point: PipelinePoint, id: string) => deps.faults?.(point, id);

  async function run(job: JobContext<RecordingJobPayload>): Promise<void> {
    const id = job.payload.recordingId;
    const initial = await store.get(id);
    if (initial === undefined || initial.status === 'completed') return;
    let recording: Recording = initial;
    let lastPercent = -1;

    const update = async (changes: RecordingChanges): Promise<Recording> => {
      const next = await store.update(id, changes);
      if (next === undefined) throw new RecordingGoneError(`recording ${id} was deleted`);
      recording = next;
      return next;
    };
    const progress = async (stage: StageName, percent: number, changes: RecordingChanges = {}) => {
      const rounded = Math.round(percent);
      await update({ status: statusOfStage[stage], stage, percent: rounded, ...changes });
      lastPercent = rounded;
      await job.progress({ stage, percent: rounded });
      await publishRecording(deps.events, recording);
    };
    const finishStage = (stage: PipelineStage, state: 'done' | 'skipped', reason?: string): Stages => ({
      ...recording.stages,
      [stage]: { state, ...(reason === undefined ? {} : { reason }), finishedAt: now().toISOString() },
    });

    const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), `recording-${id}-`));
    const local = new Map<string, string>();
    /** Downloads a blob of this recording to the temp dir once per run. */
    const fetchBlob = async (name: string, file: string): Promise<string> => {
      const known = local.get(name);
      if (known !== undefined) return known;
      const path = join(dir, file);
      const download = await blobs.download(ref(name));
      await pipeline(download.stream, createWriteStream(path));
      local.set(name, path);
      return path;
    };
    const originalName = recordingBlobs.original(id, recording.originalExt);
    const originalFile = () => fetchBlob(originalName, `original.${recording.originalExt}`);

    let stage: StageName = recording.stage;
    try {
      // 1. Compress.
      stage = 'compress';
      const compressedName = recordingBlobs.compressed(id);
      const compressDone =
        recording.stages.compress.state === 'skipped' ||
        (recording.stages.compress.state === 'done' && (await blobs.exists(ref(compressedName))));
      if (!compressDone) {
        await progress('compress', 0);
        const input = await originalFile();
        await fault('downloaded', id);
        const found = await ffmpeg.availability();
        if (!found.ok) {
          const warning = `compression skipped: ffmpeg not available (${found.reason})`;
          logger.warn(
            { recordingId: id, reason: found.reason },
            'ffmpeg not available; recording kept uncompressed',
          );
          await update({
            stages: finishStage('compress', 'skipped', 'ffmpeg not available'),
            warnings: [...recording.warnings.filter((w) => !w.startsWith('compression skipped')), warning],
          });
        } else {
          const output = join(dir, 'compressed.mp3');
          let reporting = Promise.resolve();
          const { durationSeconds } = await ffmpeg.compress({
            input,
            output,
            bitrateKbps: deps.bitrateKbps,
            onProgress: (fraction) => {
              const percent = Math.floor(fraction * 10) * 10;
              // Steps of 10 %, written in order; 100 % is reported once the blob is stored.
              if (percent > lastPercent && percent < 100) {
                lastPercent = percent;
                reporting = reporting.then(() => progress('compress', percent)).catch(() => undefined);
              }
            },
          });
          await reporting;
          await fault('compressed', id);
          const properties = await blobs.upload(ref(compressedName), createReadStream(output), {
            contentType: 'audio/mpeg',
          });
          local.set(compressedName, output);
          await fault('compressed-uploaded', id);
          await update({
            compressedBytes: properties.size,
            durationSeconds,
            stages: finishStage('compress', 'done'),
          });
          await fault('compress-recorded', id);
        }
        await progress('compress', 100);
      }

      // 2. Transcribe.
      stage = 'transcribe';
      if (recording.transcript === null && recording.stages.transcribe.state !== 'skipped') {
        await progress('transcribe', 0);
        const skip = await transcribe();
        if (skip !== undefined) await update({ stages: finishStage('transcribe', 'skipped', skip) });
        await progress('transcribe', 100);
      }

      // 3. Analyse.
      stage = 'analyse';
      if (recording.insights === null && recording.stages.analyse.state !== 'skipped') {
        await progress('analyse', 0);
        const transcript = recording.transcript;
        if (transcript === null) {
          await update({ stages: finishStage('analyse', 'skipped', 'no transcript') });
        } else if (!llm.capabilities.complete) {
          await update({ stages: finishStage('analyse', 'skipped', NO_PROVIDER) });
        } else {
          const text =
            transcript.text.length > MAX_ANALYSIS_CHARS
              ? `${transcript.text.slice(0, MAX_ANALYSIS_CHARS)}\n[transcript cut here for length]`
              : transcript.text;
          const completion = await llm.complete(
            [
              { role: 'system', content: insightsInstructions },
              { role: 'user', content: `Title: ${recording.title}\n\nTranscript:\n${text}` },
            ],
            { schema: InsightsSchema, schemaName: 'recording_insights', task: 'summary' },
          );
          await fault('analysed', id);
          await update({
            insights: completion.value,
            cost: withTotal({ ...recording.cost, analysis: completion.cost }),
            stages: finishStage('analyse', 'done'),
          });
          await fault('insights-recorded', id);
        }
        await progress('analyse', 100);
      }

      // 4. metadata.json beside the audio, then completed.
      stage = 'complete';
      await blobs.upload(
        ref(recordingBlobs.metadata(id)),
        Buffer.from(JSON.stringify(metadataOf(recording), null, 2)),
        {
          contentType: 'application/json',
        },
      );
      await fault('metadata-written', id);
      await update({ status: 'completed', stage: 'complete', percent: 100, error: null, completedAt: now() });
      await job.progress({ stage: 'complete', percent: 100 });
      await publishRecording(deps.events, recording);
    } catch (error) {
      if (isRecordingGone(error)) {
        logger.info({ recordingId: id }, 'recording deleted while processing; its blobs are removed');
        await removeBlobs(blobs, deps.container, id).catch(() => undefined);
        return;
      }
      const last = job.attemptsMade + 1 >= job.payload.attempts;
      logger.warn(
        { err: error, recordingId: id, stage, attempt: job.attemptsMade + 1, last },
        'recording step failed',
      );
      if (last) {
        const reason = `${stage}: ${errorMessage(error)}`;
        const pipelineStage =
          stage === 'compress' || stage === 'transcribe' || stage === 'analyse' ? stage : undefined;
        await store
          .update(id, {
            status: 'failed',
            error: reason,
            ...(pipelineStage === undefined
              ? {}
              : {
                  stages: {
                    ...recording.stages,
                    [pipelineStage]: { state: 'failed', reason: errorMessage(error) },
                  },
                }),
          })
          .then((failed) => (failed === undefined ? undefined : publishRecording(deps.events, failed)))
          .catch((cause: unknown) =>
            logger.error({ err: cause, recordingId: id }, 'could not record the failure'),
          );
      }
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    /** Transcribes the recording (in pieces when needed); returns a skip reason, or records the transcript. */
    async function transcribe(): Promise<string | undefined> {
      if (!llm.capabilities.transcribe) return NO_PROVIDER;
      const compressed = recording.stages.compress.state === 'done';
      const path = compressed
        ? await fetchBlob(recordingBlobs.compressed(id), 'compressed.mp3')
        : await originalFile();
      const filename = compressed ? 'audio.mp3' : `audio.${recording.originalExt}`;
      const contentType = compressed ? 'audio/mpeg' : recording.contentType;
      const size = (await stat(path)).size;

      let pieces: { path: string; start: number }[] = [{ path, start: 0 }];
      if (size > deps.chunkBytes) {
        const found = await ffmpeg.availability();
        if (!found.ok)
          return `audio larger than ${deps.chunkBytes} bytes and ffmpeg not available to split it`;
        const duration = recording.durationSeconds ?? (await ffmpeg.probeDuration(path));
        if (duration === null || duration <= 0) throw new Error('cannot split audio of unknown duration');
        // A margin below the limit: pieces end at frame boundaries and bitrates vary.
        const seconds = Math.max(1, Math.floor((duration * deps.chunkBytes * 0.9) / size));
        const chunkDir = join(dir, 'chunks');
        await mkdir(chunkDir);
        pieces = await ffmpeg.split({ input: path, outputDir: chunkDir, segmentSeconds: seconds });
      }

      let cost: LlmCost | null = null;
      const texts: string[] = [];
      const segments: Transcript['segments'] = [];
      let language: string | null = null;
      let model = '';
      let lastDuration = 0;
      for (const [index, piece] of pieces.entries()) {
        const previous = texts.at(-1);
        const result = await llm.transcribe(
          { data: { path: piece.path }, filename, contentType },
          {
            ...(recording.language === null ? {} : { language: recording.language }),
            // The previous piece's last words keep the style and names consistent across cuts.
            ...(previous === undefined ? {} : { prompt: previous.slice(-400) }),
          },
        );
        texts.push(result.text.trim());
        for (const segment of result.segments)
          segments.push({
            start: segment.start + piece.start,
            end: segment.end + piece.start,
            text: segment.text,
          });
        language ??= result.language ?? null;
        model = result.model;
        cost = addCost(cost, result.cost);
        lastDuration = piece.start + (result.durationSeconds ?? 0);
        if (pieces.length > 1) await progress('transcribe', ((index + 1) / pieces.length) * 99);
      }
      await fault('transcribed', id);
      await update({
        transcript: {
          text: texts.filter((t) => t !== '').join(' '),
          language,
          segments,
          model,
          chunks: pieces.length,
        },
        ...(recording.durationSeconds === null && lastDuration > 0 ? { durationSeconds: lastDuration } : {}),
        cost: withTotal({ ...recording.cost, transcription: cost }),
        stages: finishStage('transcribe', 'done'),
      });
      await fault('transcript-recorded', id);
      return undefined;
    }

    function metadataOf(r: Recording) {
      return {
        id: r.id,
        title: r.title,
        owner: r.owner,
        language: r.language,
        createdAt: r.createdAt.toISOString(),
        original: {
          name: recordingBlobs.original(r.id, r.originalExt),
          contentType: r.contentType,
          sizeBytes: r.sizeBytes,
        },
        compressed:
          r.stages.compress.state === 'done'
            ? {
                name: recordingBlobs.compressed(r.id),
                contentType: 'audio/mpeg',
                sizeBytes: r.compressedBytes,
                bitrateKbps: deps.bitrateKbps,
              }
            : null,
        durationSeconds: r.durationSeconds,
        stages: r.stages,
        transcript: r.transcript,
        insights: r.insights,
        cost: r.cost,
        warnings: r.warnings,
      };
    }
  }

  return { run };
}

/** Deletes every blob of a recording (`{id}/…`); resolves to how many were deleted. */
export async function removeBlobs(blobs: BlobStore, container: string, id: string): Promise<number> {
  let removed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await blobs.list(container, {
      prefix: recordingBlobs.prefix(id),
      pageSize: 100,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    for (const item of page.items) if (await blobs.delete({ container, name: item.name })) removed += 1;
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  return removed;
}
