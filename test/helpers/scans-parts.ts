// What the scans module needs beyond the shared ports, for the test-app builder: the module over
// the shared database and /ws socket, and the worker in this process.
import type { AppModule } from '../../src/http/app-types.js';
import {
  registerScansWorker,
  scansModule,
  type ScansWorker,
  type ScansWorkerDeps,
} from '../../src/modules/scans/scans-module.js';
import type { AuditLog } from '../../src/platform/audit/audit-log.js';
import type { PlatformDb } from '../../src/platform/db/platform-tables.js';
import { createNoneLlmProvider, type LlmProvider } from '../../src/platform/llm/index.js';
import type { ModulePorts } from './module-ports.js';

export interface ScansTestOptions {
  llm?: LlmProvider;
  /** Default true: the worker runs in this process. */
  worker?: boolean;
  faults?: ScansWorkerDeps['faults'];
  now?: () => Date;
}

export interface ScansParts {
  db: PlatformDb;
  scansWorker: ScansWorker | undefined;
}

export function openScans(ports: ModulePorts & { audit: AuditLog }, options: ScansTestOptions) {
  const now = options.now === undefined ? {} : { now: options.now };
  const shared = { db: ports.db, blobs: ports.bundle.store, jobs: ports.jobs, settings: ports.settings };
  const module: AppModule = scansModule({ ...shared, audit: ports.audit, progress: ports.progress, ...now });
  return {
    module,
    startWorker: (): ScansWorker | undefined =>
      options.worker === false
        ? undefined
        : registerScansWorker({
            ...shared,
            events: ports.events,
            llm: options.llm ?? createNoneLlmProvider(),
            metrics: ports.metrics,
            logger: ports.logger,
            ...(options.faults === undefined ? {} : { faults: options.faults }),
            ...now,
          }),
  };
}
