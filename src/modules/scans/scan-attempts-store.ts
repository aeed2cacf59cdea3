// The attempts of a scan's job (seed 001's image_jobs): one row per run, started and finished.
import type { Kysely } from 'kysely';
import type { ScansTables } from './scans-tables.js';

interface AttemptsDeps {
  db: Kysely<ScansTables>;
  now: () => Date;
}

/** Records the start of a processing attempt. */
async function startJob(
  { db, now }: AttemptsDeps,
  job: { id: string; scanId: string; attempt: number; container: string; name: string },
): Promise<void> {
  await db
    .insertInto('image_jobs')
    .values({
      id: job.id,
      scan_id: job.scanId,
      attempt: job.attempt,
      blob_container: job.container,
      blob_name: job.name,
      status: 'running',
      started_at: now(),
    })
    .execute();
}

async function finishJob(
  { db, now }: AttemptsDeps,
  id: string,
  outcome: { status: 'completed' | 'failed'; stage?: string; error?: string },
): Promise<void> {
  await db
    .updateTable('image_jobs')
    .set({
      status: outcome.status,
      stage: outcome.stage ?? null,
      error: outcome.error ?? null,
      finished_at: now(),
    })
    .where('id', '=', id)
    .execute();
}

export function createScanAttemptsStore(deps: AttemptsDeps) {
  return {
    startJob: (job: Parameters<typeof startJob>[1]) => startJob(deps, job),
    finishJob: (id: string, outcome: Parameters<typeof finishJob>[2]) => finishJob(deps, id, outcome),
    jobsOf: (scanId: string) =>
      deps.db
        .selectFrom('image_jobs')
        .selectAll()
        .where('scan_id', '=', scanId)
        .orderBy('started_at')
        .execute(),
  };
}
