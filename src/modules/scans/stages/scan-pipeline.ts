// The image job: a short loop over the stages (processing → analysing → reporting), each skipped
// when a previous run finished it. Blob names are fixed per scan and rows are updated in place, so a
// job retried after a crash at any point ends with one set of blobs and one result. Every attempt
// is an image_jobs row (seed 001).
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../../../platform/blob/blob-store.js';
import type { EventBus } from '../../../platform/events/event-bus.js';
import type { JobContext } from '../../../platform/jobs/job-queue.js';
import type { Logger } from '../../../platform/telemetry/logger.js';
import type { Scan, StageName } from '../scan.js';
import { refIn, removeScanBlobs, scanBlobs } from '../scan-blobs.js';
import { publishScan } from '../scan-events.js';
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
  events: EventBus;
  stages: readonly ScanStage[];
  logger: Logger;
  now: () => Date;
  /** Tests: throw after a stage's work, before it is marked done. */
  faults?: (stage: StageName, scanId: string) => void | Promise<void>;
}

/** The scan was deleted while its job ran: stop quietly. */
class ScanGoneError extends Error {
  readonly isScanGone = true;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createScanPipeline(deps: ScanPipelineDeps) {
  const { store, logger } = deps;
  const ref = refIn(deps.container);

  function runContext(initial: Scan): ScanRun & { scan: Scan } {
    const cache = new Map<string, Buffer>();
    const context = {
      scan: initial,
      async update(changes: ScanChanges) {
        const next = await store.update(initial.id, changes);
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

  async function run(job: JobContext<ScanJobPayload>): Promise<void> {
    const initial = await store.get(job.payload.scanId);
    if (initial === undefined || initial.status === 'completed') return;
    const context = runContext(initial);
    const jobId = randomUUID();
    const original = scanBlobs.original(initial.owner, initial.id, initial.originalExt);
    await store.startJob({
      id: jobId,
      scanId: initial.id,
      attempt: job.attemptsMade + 1,
      container: deps.container,
      name: original,
    });
    let current: StageName | undefined;
    try {
      for (const stage of deps.stages) {
        const state = context.scan.stages[stage.name].state;
        if (state === 'done' || state === 'skipped') continue;
        current = stage.name;
        await publishScan(deps.events, await context.update({ status: stage.name, stage: stage.name }));
        const outcome: StageOutcome = await stage.run(context);
        await deps.faults?.(stage.name, initial.id);
        const finished = { ...outcome, finishedAt: deps.now().toISOString() };
        await context.update({ stages: { ...context.scan.stages, [stage.name]: finished } });
        await job.progress({ stage: stage.name });
      }
      current = undefined;
      const done = await context.update({
        status: 'completed',
        stage: 'completed',
        error: null,
        completedAt: deps.now(),
      });
      await store.finishJob(jobId, { status: 'completed' });
      await publishScan(deps.events, done);
    } catch (error) {
      await failed(job, { jobId, scan: context.scan, stage: current, error });
      throw error;
    }
  }

  async function failed(
    job: JobContext<ScanJobPayload>,
    attempt: { jobId: string; scan: Scan; stage: StageName | undefined; error: unknown },
  ): Promise<void> {
    const { scan, stage, error } = attempt;
    if (error instanceof ScanGoneError) {
      logger.info({ scanId: scan.id }, 'scan deleted while processing; its blobs are removed');
      await removeScanBlobs(deps.blobs, deps.container, [
        scanBlobs.imagePrefix(scan.owner, scan.id),
        scanBlobs.reportPrefix(scan.id),
      ]).catch(() => undefined);
      return;
    }
    const last = job.attemptsMade + 1 >= job.payload.attempts;
    logger.warn(
      { err: error, scanId: scan.id, stage, attempt: job.attemptsMade + 1, last },
      'scan step failed',
    );
    await store
      .finishJob(attempt.jobId, {
        status: 'failed',
        ...(stage === undefined ? {} : { stage }),
        error: message(error),
      })
      .catch(() => undefined);
    if (!last) return;
    const reason = `${stage ?? 'completing'}: ${message(error)}`;
    await store
      .update(scan.id, {
        status: 'failed',
        error: reason,
        ...(stage === undefined
          ? {}
          : { stages: { ...scan.stages, [stage]: { state: 'failed', reason: message(error) } } }),
      })
      .then((row) => (row === undefined ? undefined : publishScan(deps.events, row)))
      .catch((cause: unknown) =>
        logger.error({ err: cause, scanId: scan.id }, 'could not record the failure'),
      );
  }

  return { run };
}
