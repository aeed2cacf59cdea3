// Stage 1: the original re-encoded as mono speech MP3 (`compressed.mp3`), with progress in steps of
// 10 %. Without ffmpeg the stage is skipped with a warning and the original goes on as it is.
import { join } from 'node:path';
import { mediaInput, type Ffmpeg, type MediaInput } from '../ffmpeg.js';
import { recordingBlobs } from '../recording-blobs.js';
import type { RunContext, Stage } from './stage.js';

export interface CompressStageOptions {
  ffmpeg: Ffmpeg;
  /** RECORDINGS_AUDIO_BITRATE_KBPS. */
  bitrateKbps: number;
}

const WARNING = 'compression skipped';

export function compressStage(options: CompressStageOptions): Stage {
  const { ffmpeg } = options;

  async function skip(context: RunContext, reason: string): Promise<void> {
    context.logger.warn(
      { recordingId: context.id, reason },
      'ffmpeg not available; recording kept uncompressed',
    );
    const warnings = context.recording.warnings.filter((w) => !w.startsWith(WARNING));
    await context.update({
      stages: context.finished('compress', 'skipped', 'ffmpeg not available'),
      warnings: [...warnings, `${WARNING}: ffmpeg not available (${reason})`],
    });
  }

  async function compress(context: RunContext, input: MediaInput): Promise<void> {
    const output = join(context.dir, 'compressed.mp3');
    // Steps of 10 %, written in order; 100 % is reported once the blob is stored.
    let reported = 0;
    let reporting = Promise.resolve();
    const { durationSeconds } = await ffmpeg.compress({
      input,
      output,
      bitrateKbps: options.bitrateKbps,
      onProgress: (fraction) => {
        const percent = Math.floor(fraction * 10) * 10;
        if (percent <= reported || percent >= 100) return;
        reported = percent;
        reporting = reporting.then(() => context.progress('compress', percent)).catch(() => undefined);
      },
    });
    await reporting;
    await context.fault('compressed');
    const stored = await context.blobs.put(
      recordingBlobs.compressed(context.id),
      { path: output },
      'audio/mpeg',
    );
    await context.fault('compressed-uploaded');
    await context.update({
      compressedBytes: stored.size,
      durationSeconds,
      stages: context.finished('compress', 'done'),
    });
    await context.fault('compress-recorded');
  }

  return {
    name: 'compress',
    async pending({ id, recording, blobs }) {
      const { state } = recording.stages.compress;
      if (state === 'skipped') return false;
      // A row saying done with no blob (deleted by hand, or a store restored from backup) runs again.
      return state !== 'done' || !(await blobs.exists(recordingBlobs.compressed(id)));
    },
    async run(context) {
      const { id, recording } = context;
      const path = await context.blobs.local(recordingBlobs.original(id, recording.originalExt));
      await context.fault('downloaded');
      const found = await ffmpeg.availability();
      if (found.ok) await compress(context, mediaInput(path, recording.originalExt));
      else await skip(context, found.reason);
    },
  };
}
