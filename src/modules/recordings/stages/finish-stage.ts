// The last stage: metadata.json beside the audio (seed 002's layout), then the recording completed.
import type { Recording } from '../recording.js';
import { recordingBlobs } from '../recording-blobs.js';
import type { Stage } from './stage.js';

export interface FinishStageOptions {
  /** RECORDINGS_AUDIO_BITRATE_KBPS, stated in the metadata of compressed audio. */
  bitrateKbps: number;
}

function metadataOf(r: Recording, bitrateKbps: number) {
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
            bitrateKbps,
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

export function finishStage(options: FinishStageOptions): Stage {
  return {
    name: 'complete',
    // The pipeline does not run a completed recording at all.
    pending: () => true,
    async run(context) {
      const metadata = metadataOf(context.recording, options.bitrateKbps);
      await context.blobs.put(
        recordingBlobs.metadata(context.id),
        Buffer.from(JSON.stringify(metadata, null, 2)),
        'application/json',
      );
      await context.fault('metadata-written');
      await context.update(
        { status: 'completed', stage: 'complete', percent: 100, error: null, completedAt: context.now() },
        { announce: true },
      );
      await context.completed();
    },
  };
}
