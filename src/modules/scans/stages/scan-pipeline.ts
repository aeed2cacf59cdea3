// The image job: a short loop over the stages (processing → analysing → reporting), each skipped
// when a previous run finished it. Blob names are fixed per scan and rows are updated in place, so a
// job retried after a crash at any point ends with one set of blobs and one result. Every attempt
// is an image_jobs row (seed 001).
import { isPermanentFailure } from '../../../platform/errors/permanent-failure.js';
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../../../platform/blob/blob-store.js';
import type { EventPublisher } from '../../../platform/events/event-bus.js';
import type { LlmCallLedger } from '../../../platform/llm/llm-call-ledger.js';
import type { JobContext } from '../../../platform/jobs/job-queue.js';
import type { Logger } from '../../../platform/telemetry/logger.js';
import type { Scan, StageName } from '../scan.js';
import { refIn, removeScanBlobs, scanBlobs } from '../scan-blobs.js';
import { updateAndAnnounce } from '../scan-events.js';
import type { ScanChanges, ScansStore } from '../scans-store.js';
import type { ScanRun, ScanStage, StageOutcome } from './scan-stage.js';

export interface ScanJobPayload {
  scanId: string;
  /** Tries the queue makes; the last failing one marks the scan failed. */
  attempts: number;
}

export interface ScanPipelineDeps {
  store: ScansStore;
  blobs: BlobStore;
  container: string;
  events: EventPublisher;
  stages: readonly ScanStage[];
  logger: Logger;
  now: () => Date;
  /** Tests: throw after a stage's work, before it is marked done. */
  faults?: (stage: StageName, scanId: string) => void | Promise<void>;
  /** Closes the provider calls a scan that failed for good left in doubt. */
  ledger?: Pick<LlmCallLedger, 'abandon'>;
}

/** The scan was deleted while its job ran: stop quietly. */
class ScanGoneError extends Error {
  readonly isScanGone = true;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function runContext(deps: ScanPipelineDeps, initial: Scan): ScanRun & { scan: Scan } {
  const ref = refIn(deps.container);
  const cache = new Map<string, Buffer>();
  const context = {
    scan: initial,
    /** `announce`: watchers hear of the change with the update (in its transaction, with the outbox). */
    async update(changes: ScanChanges, options: { announce?: boolean } = {}) {
      const next =
        options.announce === true
          ? await updateAndAnnounce(deps, initial.id, changes)
          : await deps.store.update(initial.id, changes);
      if (next === undefined) throw new ScanGoneError(`scan ${initial.id} was deleted`);
      context.scan = next;
      return next;
    },
    ref,
    async read(name: string) {
      const known = cache.get(name);
      if (known !== undefined) return known;
      const bytes = await deps.blobs.downloadBuffer(ref(name));
      cache.set(name, bytes);
      return bytes;
    },
    remember: (name: string, bytes: Buffer) => void cache.set(name, bytes),
  };
  return context;
}

/** One attempt of a scan's job, as the failure bookkeeping sees it. */
interface Attempt {
  job: JobContext<ScanJobPayload>;
  jobId: string;
  context: ScanRun & { scan: Scan };
  /** The stage under way; undefined while completing. */
  stage?: StageName;
}

/** The stages not yet finished, in order; `attempt.stage` names the one under way. */
async function runStages(deps: ScanPipelineDeps, attempt: Attempt): Promise<void> {
  const { context, job } = attempt;
  for (const stage of deps.stages) {
    const state = context.scan.stages[stage.name].state;
    if (state === 'done' || state === 'skipped') continue;
    attempt.stage = stage.name;
    await context.update({ status: stage.name, stage: stage.name }, { announce: true });
    const outcome: StageOutcome = await stage.run(context);
    await deps.faults?.(stage.name, context.scan.id);
    const finished = { ...outcome, finishedAt: deps.now().toISOString() };
    await context.update({ stages: { ...context.scan.stages, [stage.name]: finished } });
    await job.progress({ stage: stage.name });
  }
  delete attempt.stage;
  await context.update(
    { status: 'completed', stage: 'completed', error: null, completedAt: deps.now() },
    { announce: true },
  );
  await deps.store.finishJob(attempt.jobId, { status: 'completed' });
}

/**
 * On the queue's last attempt, or on a failure no attempt can change (a photo that cannot be
 * decoded), the scan is marked failed, naming the stage; earlier ones only log.
 */
async function failed(deps: ScanPipelineDeps, attempt: Attempt, error: unknown): Promise<void> {
  const { job, stage } = attempt;
  const { scan } = attempt.context;
  if (error instanceof ScanGoneError) {
    deps.logger.info({ scanId: scan.id }, 'scan deleted while processing; its blobs are removed');
    await removeScanBlobs(deps.blobs, deps.container, [
      scanBlobs.imagePrefix(scan.owner, scan.id),
      scanBlobs.reportPrefix(scan.id),
    ]).catch(() => undefined);
    return;
  }
  const last = isPermanentFailure(error) || job.attemptsMade + 1 >= job.payload.attempts;
  deps.logger.warn(
    { err: error, scanId: scan.id, stage, attempt: job.attemptsMade + 1, last },
    'scan step failed',
  );
  await deps.store
    .finishJob(attempt.jobId, {
      status: 'failed',
      ...(stage === undefined ? {} : { stage }),
      error: message(error),
    })
    .catch(() => undefined);
  if (!last) return;
  await deps.ledger
    ?.abandon(`scan:${scan.id}`)
    .catch((cause: unknown) =>
      deps.logger.warn({ err: cause, scanId: scan.id }, 'could not close the ledger'),
    );
  await updateAndAnnounce(deps, scan.id, {
    status: 'failed',
    error: `${stage ?? 'completing'}: ${message(error)}`,
    ...(stage === undefined
      ? {}
      : { stages: { ...scan.stages, [stage]: { state: 'failed', reason: message(error) } } }),
  }).catch((cause: unknown) =>
    deps.logger.error({ err: cause, scanId: scan.id }, 'could not record the failure'),
  );
}

async function run(deps: ScanPipelineDeps, job: JobContext<ScanJobPayload>): Promise<void> {
  const initial = await deps.store.get(job.payload.scanId);
  if (initial === undefined || initial.status === 'completed') return;
  const attempt: Attempt = { job, jobId: randomUUID(), context: runContext(deps, initial) };
  await deps.store.startJob({
    id: attempt.jobId,
    scanId: initial.id,
    attempt: job.attemptsMade + 1,
    container: deps.container,
    name: scanBlobs.original(initial.owner, initial.id, initial.originalExt),
  });
  try {
    await runStages(deps, attempt);
  } catch (error) {
    await failed(deps, attempt, error);
    // Recorded as failed for good: the queue is told the job is done, so it is not run again.
    if (isPermanentFailure(error)) return;
    throw error;
  }
}

export function createScanPipeline(deps: ScanPipelineDeps) {
  return { run: (job: JobContext<ScanJobPayload>) => run(deps, job) };
}
