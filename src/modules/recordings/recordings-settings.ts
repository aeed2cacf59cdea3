// The recordings module's own settings (seed 002), composed into the settings schema in roles/,
// and what the module reads: these plus the platform settings it names.
import Type, { type Static } from 'typebox';
import { int, str, type Settings } from '../../platform/config/settings-schema.js';

export const RecordingsSettingsSchema = Type.Object({
  RECORDINGS_CONTAINER: str(
    'Container of the audio pipeline: {recording-id}/original.{ext}, compressed.mp3, metadata.json',
    { default: 'audio-files', minLength: 3, maxLength: 63 },
  ),
  RECORDINGS_RETENTION_DAYS: int('Recordings older than this many days are deleted with their blobs', 30, 1),
  RECORDINGS_SWEEP_INTERVAL_MS: int(
    'How often the retention sweep runs (once across all instances)',
    3_600_000,
    1000,
  ),
  RECORDINGS_CONCURRENCY: int('Recordings a worker process handles at once', 2, 1),
  RECORDINGS_JOB_ATTEMPTS: int('Tries of a recording job before it is marked failed', 3, 1),
  RECORDINGS_RETRY_DELAY_MS: int(
    'First delay before a failed recording job is tried again (exponential)',
    5000,
    0,
  ),
  RECORDINGS_AUDIO_BITRATE_KBPS: int('Bitrate of the compressed mono MP3, in kbit/s', 40, 8, 320),
  FFMPEG_PATH: str(
    'ffmpeg executable; when the default `ffmpeg` is not on PATH the WebAssembly build (@ffmpeg/core) runs; when none runs, compression is skipped and /health is degraded',
    { default: 'ffmpeg' },
  ),
  FFMPEG_TIMEOUT_MS: int(
    'Longest one ffmpeg run may take before it is killed (the job fails or is retried)',
    1_200_000,
    1000,
  ),
  FFMPEG_MAX_OUTPUT_MB: int(
    'Largest compressed audio one recording may produce, in MB (more fails the recording)',
    256,
    1,
  ),
});

/** Everything a recordings part may read: its own settings and the platform's. */
export type RecordingsSettings = Static<typeof RecordingsSettingsSchema> & Settings;
