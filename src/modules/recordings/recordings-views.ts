// Recording rows as the API shows them: summaries in lists, the full detail with links, and the
// 202 answer to an upload or a retry.
import type { Recording } from './recording.js';
import type { RecordingLinks } from './recordings-service.js';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export const summaryView = (r: Recording) => ({
  id: r.id,
  title: r.title,
  language: r.language,
  status: r.status,
  stage: r.stage,
  percent: r.percent,
  contentType: r.contentType,
  sizeBytes: r.sizeBytes,
  durationSeconds: r.durationSeconds,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  completedAt: iso(r.completedAt),
});

export const detailView = (r: Recording, links: RecordingLinks) => ({
  ...summaryView(r),
  compressedBytes: r.compressedBytes,
  stages: r.stages,
  transcript: r.transcript,
  insights: r.insights,
  cost: r.cost,
  warnings: r.warnings,
  retries: r.retries,
  links,
});

/** `location` is the recording's URL for this caller (see http/caller.ts `callerUrl`). */
export const acceptedView = (r: Recording, location: string) => ({
  id: r.id,
  status: r.status,
  title: r.title,
  sizeBytes: r.sizeBytes,
  contentType: r.contentType,
  location,
});
