// The scans module (seed 001, Crown Safe) as the composition root sees it: the ports it uses in,
// its HTTP surface (routes, share pages, the `scanId` topic of /ws) and its job processor out.
import { errors } from '../../platform/errors/app-error.js';
import type { Registry } from 'prom-client';
import type { AppModule } from '../../http/app-types.js';
import { callerOf } from '../../http/caller.js';
import { uploadRateLimit } from '../../http/rate-limits.js';
import type { ProgressSocket } from '../../http/progress-socket.js';
import type { AuditLog } from '../../platform/audit/audit-log.js';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { ScansSettings } from './scans-settings.js';
import { moduleDb } from '../../platform/db/database.js';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { createLlmCallLedger } from '../../platform/llm/llm-call-ledger.js';
import type { LlmProvider } from '../../platform/llm/llm-provider.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { histogram } from '../../platform/telemetry/metric-factory.js';
import { requestContext } from '../../platform/telemetry/request-context.js';
import { loadIngredientCatalogue, type IngredientCatalogue } from './ingredient-catalogue.js';
import type { StageName } from './scan.js';
import { scanChannel, scanMessageOf } from './scan-events.js';
import { createScanSharesService } from './scan-shares-service.js';
import { createScanSharesStore } from './scan-shares-store.js';
import { registerScanSharesRoutes } from './scan-shares-routes.js';
import { registerScansRoutes } from './scans-routes.js';
import { createScansService, SCAN_JOB } from './scans-service.js';
import { createScansStore, type ScansStore } from './scans-store.js';
import type { ScansTables } from './scans-tables.js';
import type { ScanJobPayload } from './stages/scan-pipeline.js';

export { scansMigrations } from './scans-migrations.js';

export type ScansModuleSettings = ScansSettings;

export interface ScansModuleDeps {
  /** The platform's database handle, migrated with the platform's migrations and scansMigrations. */
  db: PlatformDb;
  /** The composed store: uploads count against the caller's quota; jobs run outside requests, so theirs do not. */
  blobs: BlobStore;
  jobs: Pick<JobQueue, 'enqueue' | 'process'>;
  events: EventBus;
  llm: LlmProvider;
  audit: AuditLog;
  /** The app's shared /ws socket, where scans add the `scanId` topic. */
  progress: ProgressSocket;
  metrics: Registry;
  logger: Logger;
  settings: ScansModuleSettings;
  catalogue?: IngredientCatalogue;
  /** Tests: throw after a stage's work, before it is recorded as done. */
  faults?: (stage: StageName, scanId: string) => void | Promise<void>;
  now?: () => Date;
}

export interface ScansModule {
  routes: AppModule;
  /** Starts taking scan jobs (worker and all roles); close() lets running ones finish. */
  startWorker(): { close(): Promise<void> };
}

/** What the module's parts are built over. */
interface ScansParts {
  deps: ScansModuleDeps;
  store: ScansStore;
  container: string;
  now: () => Date;
}

/** The `scanId` topic of /ws: a caller sees the scans http/caller.ts lets them read. */
function addScanTopic({ deps, store }: ScansParts): void {
  deps.progress.addTopic({
    key: 'scanId',
    noun: 'Scan',
    channel: scanChannel,
    async snapshot(id, request) {
      const caller = callerOf(request);
      const scan = await store.get(id);
      if (scan !== undefined && !caller.admin && scan.owner !== caller.id)
        throw errors.notYours(`Scan ${id} was not found.`);
      return scan === undefined ? undefined : scanMessageOf(scan);
    },
  });
}

/**
 * The stages, loaded when the worker takes its first job: they pull in sharp and pdfkit (~50 MB),
 * which an api-only process never needs.
 */
async function loadScanPipeline({ deps, store, container, now }: ScansParts) {
  const [{ analysingStage }, { processingStage }, { reportingStage }, { createScanPipeline }] =
    await Promise.all([
      import('./stages/analysing-stage.js'),
      import('./stages/processing-stage.js'),
      import('./stages/reporting-stage.js'),
      import('./stages/scan-pipeline.js'),
    ]);
  const { settings } = deps;
  const seconds = histogram(deps.metrics, {
    name: 'azimuth_scan_report_seconds',
    help: 'Time to render one scan report, by format',
    labelNames: ['format'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  return createScanPipeline({
    store,
    blobs: deps.blobs,
    container,
    events: deps.events,
    logger: deps.logger,
    now,
    stages: [
      processingStage({ blobs: deps.blobs, store, maxPx: settings.SCANS_MAX_IMAGE_PX }),
      analysingStage({ llm: deps.llm, ledger: createLlmCallLedger({ db: deps.db, now }) }),
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

/** Starts taking scan jobs (worker and all roles); close() lets running ones finish. */
function startScansWorker(parts: ScansParts): { close(): Promise<void> } {
  let pipeline: ReturnType<typeof loadScanPipeline> | undefined;
  // A fresh context per job: the uploader's quota and identity stay off the worker's own blob writes.
  return parts.deps.jobs.process<ScanJobPayload>(
    SCAN_JOB,
    (job) =>
      requestContext.run({ correlationId: `scan-${job.payload.scanId}` }, async () =>
        (await (pipeline ??= loadScanPipeline(parts))).run(job),
      ),
    { concurrency: parts.deps.settings.SCANS_CONCURRENCY },
  );
}

export function createScansModule(deps: ScansModuleDeps): ScansModule {
  const { settings } = deps;
  const now = deps.now ?? (() => new Date());
  const db = moduleDb<ScansTables>(deps.db);
  const parts: ScansParts = {
    deps,
    store: createScansStore({ db, now }),
    container: settings.SCANS_CONTAINER,
    now,
  };
  const maxImageBytes = settings.SCANS_MAX_IMAGE_MB * 1024 * 1024;
  const service = createScansService({
    store: parts.store,
    blobs: deps.blobs,
    container: parts.container,
    jobs: deps.jobs,
    maxImageBytes,
    jobAttempts: settings.SCANS_JOB_ATTEMPTS,
    retryDelayMs: settings.SCANS_RETRY_DELAY_MS,
    now,
  });
  const shares = createScanSharesService({
    shares: createScanSharesStore({ db, now }),
    scans: service,
    store: parts.store,
    blobs: deps.blobs,
    container: parts.container,
    audit: deps.audit,
    now,
  });
  addScanTopic(parts);
  return {
    routes: async (app) => {
      await registerScansRoutes(app, { service, maxImageBytes, uploadLimit: uploadRateLimit(settings) });
      registerScanSharesRoutes(app, {
        shares,
        now,
        ...(settings.SCANS_PUBLIC_BASE_URL === undefined
          ? {}
          : { publicBaseUrl: settings.SCANS_PUBLIC_BASE_URL }),
      });
    },
    startWorker: () => startScansWorker(parts),
  };
}
