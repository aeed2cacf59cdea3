// Stage 2: the compressed audio (or the original when compression was skipped) transcribed, cut
// into pieces under the provider's upload limit when needed, with segment times joined across
// pieces. The transcript and the calls' cost are written in one update.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlmCallLedger } from '../../../platform/llm/llm-call-ledger.js';
import type { LlmCost, LlmProvider } from '../../../platform/llm/llm-provider.js';
import { mediaInput, type Ffmpeg } from '../ffmpeg.js';
import type { Transcript } from '../recording.js';
import { recordingBlobs } from '../recording-blobs.js';
import { addCost, withTotal } from './stage-costs.js';
import { NO_PROVIDER, type RunContext, type Stage } from './stage.js';

export interface TranscribeStageOptions {
  llm: LlmProvider;
  ffmpeg: Ffmpeg;
  /** Largest audio sent in one transcription; MAX_TRANSCRIPTION_UPLOAD_BYTES in production. */
  chunkBytes: number;
  /** Where every call's cost is recorded once, whatever happens to the run. */
  ledger: LlmCallLedger;
}

interface Audio {
  path: string;
  /** The format ffmpeg is told it is, when it cuts it. */
  ext: string;
  filename: string;
  contentType: string;
}

interface Piece {
  path: string;
  /** Seconds from the start of the whole audio. */
  start: number;
}

interface Transcribed {
  transcript: Transcript;
  cost: LlmCost | null;
  /** Seconds up to the end of the last piece, as the provider measured it (0 when it did not say). */
  durationSeconds: number;
}

async function audioOf(context: RunContext): Promise<Audio> {
  const { id, recording } = context;
  if (recording.stages.compress.state === 'done')
    return {
      path: await context.blobs.local(recordingBlobs.compressed(id)),
      ext: 'mp3',
      filename: 'audio.mp3',
      contentType: 'audio/mpeg',
    };
  return {
    path: await context.blobs.local(recordingBlobs.original(id, recording.originalExt)),
    ext: recording.originalExt,
    filename: `audio.${recording.originalExt}`,
    contentType: recording.contentType,
  };
}

/** The audio in pieces under `chunkBytes`, or a reason it cannot be cut. */
async function piecesOf(
  { ffmpeg, chunkBytes }: TranscribeStageOptions,
  context: RunContext,
  { path, ext }: Audio,
): Promise<Piece[] | string> {
  const size = (await stat(path)).size;
  if (size <= chunkBytes) return [{ path, start: 0 }];
  const found = await ffmpeg.availability();
  if (!found.ok) return `audio larger than ${chunkBytes} bytes and ffmpeg not available to split it`;
  const duration = context.recording.durationSeconds ?? (await ffmpeg.probeDuration(mediaInput(path, ext)));
  if (duration === null || duration <= 0) throw new Error('cannot split audio of unknown duration');
  // A margin below the limit: pieces end at frame boundaries and bitrates vary.
  const seconds = Math.max(1, Math.floor((duration * chunkBytes * 0.9) / size));
  const outputDir = join(context.dir, 'chunks');
  await mkdir(outputDir);
  return ffmpeg.split({ input: mediaInput(path, ext), outputDir, segmentSeconds: seconds });
}

async function transcribe(
  { llm, ledger }: TranscribeStageOptions,
  context: RunContext,
  audio: Audio,
  pieces: Piece[],
): Promise<Transcribed> {
  const { language } = context.recording;
  const texts: string[] = [];
  const transcript: Transcript = {
    text: '',
    language: null,
    segments: [],
    model: '',
    chunks: pieces.length,
  };
  let cost: LlmCost | null = null;
  let durationSeconds = 0;
  for (const [index, piece] of pieces.entries()) {
    const previous = texts.at(-1);
    const result = await ledger.record(
      { subject: `recording:${context.id}`, step: `transcribe:${index}` },
      () =>
        llm.transcribe(
          { data: { path: piece.path }, filename: audio.filename, contentType: audio.contentType },
          {
            ...(language === null ? {} : { language }),
            // The previous piece's last words keep the style and names consistent across cuts.
            ...(previous === undefined ? {} : { prompt: previous.slice(-400) }),
          },
        ),
      { answered: () => context.fault('provider-answered') },
    );
    texts.push(result.text.trim());
    for (const segment of result.segments)
      transcript.segments.push({
        start: segment.start + piece.start,
        end: segment.end + piece.start,
        text: segment.text,
      });
    transcript.language ??= result.language ?? null;
    transcript.model = result.model;
    cost = addCost(cost, result.cost);
    durationSeconds = piece.start + (result.durationSeconds ?? 0);
    if (pieces.length > 1) await context.progress('transcribe', ((index + 1) / pieces.length) * 99);
  }
  transcript.text = texts.filter((t) => t !== '').join(' ');
  return { transcript, cost, durationSeconds };
}

export function transcribeStage(options: TranscribeStageOptions): Stage {
  const { llm } = options;

  async function run(context: RunContext): Promise<void> {
    if (!llm.capabilities.transcribe) {
      await context.update({ stages: context.finished('transcribe', 'skipped', NO_PROVIDER) });
      return;
    }
    const audio = await audioOf(context);
    const pieces = await piecesOf(options, context, audio);
    if (typeof pieces === 'string') {
      await context.update({ stages: context.finished('transcribe', 'skipped', pieces) });
      return;
    }
    const { transcript, cost, durationSeconds } = await transcribe(options, context, audio, pieces);
    await context.fault('transcribed');
    const { recording } = context;
    await context.update({
      transcript,
      ...(recording.durationSeconds === null && durationSeconds > 0 ? { durationSeconds } : {}),
      cost: withTotal({ ...recording.cost, transcription: cost }),
      stages: context.finished('transcribe', 'done'),
    });
    await context.fault('transcript-recorded');
  }

  return {
    name: 'transcribe',
    pending: ({ recording }) =>
      recording.transcript === null && recording.stages.transcribe.state !== 'skipped',
    run,
  };
}
