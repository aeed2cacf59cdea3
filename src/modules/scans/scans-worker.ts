// The worker side of the scans module: runs scan jobs (SCANS_CONCURRENCY at once). The stages are
// loaded when the first job arrives: they pull in sharp and pdfkit (~50 MB), which an api-only
// process never needs.
import type { Registry } from 'prom-client';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import { moduleDb } from '../../platform/db/database.js';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { OutboxWriter } from '../../platform/outbox/outbox.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { createLlmCallLedger } from '../../platform/llm/llm-call-ledger.js';
import type { LlmProvider } from '../../platform/llm/llm-provider.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { histogram } from '../../platform/telemetry/metric-factory.js';
import { requestContext } from '../../platform/telemetry/request-context.js';
import { loadIngredientCatalogue, type IngredientCatalogue } from './ingredient-catalogue.js';
import type { StageName } from './scan.js';
import { SCAN_JOB } from './scans-service.js';
import type { ScansSettings } from './scans-settings.js';
import { createScansStore } from './scans-store.js';
import type { ScansTables } from './scans-tables.js';
import type { ScanJobPayload } from './stages/scan-pipeline.js';

export type ScansWorkerSettings = Pick<
  ScansSettings,
  'SCANS_CONTAINER' | 'SCANS_CONCURRENCY' | 'SCANS_MAX_IMAGE_PX'
>;

export interface ScansWorkerDeps {
  /** The platform's database handle, migrated with the platform's migrations and scansMigrations. */
  db: PlatformDb;
  /** The composed store; jobs run outside any request, so no upload quota applies to them. */
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'process'>;
  /** Where progress events go when there is no outbox (tests); the outbox's publisher in the roles. */
  events: EventPublisher;
  /** Progress events written with their update, in one transaction (the roles always give it). */
  outbox?: OutboxWriter;
  llm: LlmProvider;
  metrics: Registry;
  logger: Logger;
  settings: ScansWorkerSettings;
  catalogue?: IngredientCatalogue;
  /** Tests: throw after a stage's work, before it is recorded as done. */
  faults?: (stage: StageName, scanId: string) => void | Promise<void>;
  now?: () => Date;
}

export interface ScansWorker {
  /** Stops taking jobs and waits for running ones. */
  close(): Promise<void>;
}

async function loadScanPipeline(deps: ScansWorkerDeps) {
  const [{ analysingStage }, { processingStage }, { reportingStage }, { createScanPipeline }] =
    await Promise.all([
      import('./stages/analysing-stage.js'),
      import('./stages/processing-stage.js'),
      import('./stages/reporting-stage.js'),
      import('./stages/scan-pipeline.js'),
    ]);
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const store = createScansStore({
    db: moduleDb<ScansTables>(deps.db),
    now,
    ...(deps.outbox === undefined ? {} : { outbox: deps.outbox }),
  });
  const seconds = histogram(deps.metrics, {
    name: 'azimuth_scan_report_seconds',
    help: 'Time to render one scan report, by format',
    labelNames: ['format'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const ledger = createLlmCallLedger({ db: deps.db, now });
  return createScanPipeline({
    store,
    ledger,
    blobs: deps.blobs,
    container: settings.SCANS_CONTAINER,
    events: deps.events,
    logger: deps.logger,
    now,
    stages: [
      processingStage({ blobs: deps.blobs, store, maxPx: settings.SCANS_MAX_IMAGE_PX }),
      analysingStage({ llm: deps.llm, ledger }),
      reportingStage({
        blobs: deps.blobs,
        store,
        catalogue: deps.catalogue ?? loadIngredientCatalogue(),
        now,
        observe: (format, value) => seconds.observe({ format }, value),
      }),
    ],
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
  });
}

export function registerScansWorker(deps: ScansWorkerDeps): ScansWorker {
  let pipeline: ReturnType<typeof loadScanPipeline> | undefined;
  // A fresh context per job: the uploader's quota and identity stay off the worker's own blob writes.
  return deps.jobs.process<ScanJobPayload>(
    SCAN_JOB,
    (job) =>
      requestContext.run({ correlationId: `scan-${job.payload.scanId}` }, async () =>
        (await (pipeline ??= loadScanPipeline(deps))).run(job),
      ),
    { concurrency: deps.settings.SCANS_CONCURRENCY },
  );
}
