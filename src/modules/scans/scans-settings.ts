// The scans module's own settings (seed 001: the Crown Safe image container and its limits),
// composed into the settings schema in roles/.
import Type, { type Static } from 'typebox';
import { int, type Settings } from '../../platform/config/settings-schema.js';

export const ScansSettingsSchema = Type.Object({
  SCANS_CONTAINER: Type.String({
    description:
      'Container of product scans: scans/{user}/{scan}/original.{ext}, normalized.jpg, thumbnail.webp and reports/{scan}/',
    default: 'crownsafe-images',
    minLength: 3,
    maxLength: 63,
  }),
  SCANS_MAX_IMAGE_MB: int('Largest product photo accepted, in MB', 15, 1, 100),
  SCANS_MAX_IMAGE_PX: int(
    'Longest side of normalized.jpg, in pixels (larger photos are scaled down)',
    2048,
    320,
  ),
  SCANS_CONCURRENCY: int('Scans a worker process handles at once', 2, 1),
  SCANS_JOB_ATTEMPTS: int('Tries of a scan job before it is marked failed', 3, 1),
  SCANS_RETRY_DELAY_MS: int('First delay before a failed scan job is tried again (exponential)', 5000, 0),
  SCANS_PUBLIC_BASE_URL: Type.Optional(
    Type.String({
      description: 'Origin share links are built on (default: the origin the request came to)',
      pattern: '^https?://[^/]+$',
    }),
  ),
});

/** Everything a scans part may read: its own settings and the platform's. */
export type ScansSettings = Static<typeof ScansSettingsSchema> & Settings;
