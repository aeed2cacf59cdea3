// Blob names of a scan in SCANS_CONTAINER (seed 001's layout). The owner's id is the caller's word in
// AUTH_MODE=none, so it is made a safe path segment first (seed 001 "Known issues: blob naming").
import { createHash } from 'node:crypto';
import type { BlobRef, BlobStore } from '../../platform/blob/blob-store.js';
import { removeBlobsUnder } from '../../platform/blob/remove-blobs-under.js';

export type ReportFormat = 'json' | 'html' | 'pdf';
export const reportFormats: readonly ReportFormat[] = ['json', 'html', 'pdf'];
export const reportContentTypes: Record<ReportFormat, string> = {
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

/**
 * One path segment from any text: characters outside [A-Za-z0-9._-] become `_`, dots cannot make
 * `.`/`..` or a trailing dot, and long or emptied names are cut with a hash so two ids stay apart.
 */
export function safeSegment(value: string): string {
  let safe = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+|\.+$/g, '_');
  if (safe === '' || safe.length > 64 || safe !== value)
    safe = `${safe.slice(0, 40)}-${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
  return safe;
}

const imagePrefix = (owner: string, id: string) => `scans/${safeSegment(owner)}/${id}/`;

export const scanBlobs = {
  imagePrefix,
  reportPrefix: (id: string) => `reports/${id}/`,
  original: (owner: string, id: string, ext: string) => `${imagePrefix(owner, id)}original.${ext}`,
  normalized: (owner: string, id: string) => `${imagePrefix(owner, id)}normalized.jpg`,
  thumbnail: (owner: string, id: string) => `${imagePrefix(owner, id)}thumbnail.webp`,
  report: (id: string, format: ReportFormat) => `reports/${id}/report.${format}`,
};

/** Deletes every blob under the prefixes; resolves to how many were deleted. */
export async function removeScanBlobs(
  blobs: BlobStore,
  container: string,
  prefixes: string[],
): Promise<number> {
  let removed = 0;
  for (const prefix of prefixes) removed += await removeBlobsUnder(blobs, container, prefix);
  return removed;
}

export const refIn =
  (container: string) =>
  (name: string): BlobRef => ({ container, name });
