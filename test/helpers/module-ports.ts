// The shared ports the test-app builder hands a module's test parts (recordings-parts.ts,
// scans-parts.ts): the ones every module gets, the database they share and the one /ws socket.
import type { Registry } from 'prom-client';
import type { ProgressSocket } from '../../src/http/progress-socket.js';
import type { BlobStoreBundle } from '../../src/platform/blob/index.js';
import type { PlatformDb } from '../../src/platform/db/platform-tables.js';
import type { ManagedEventBus } from '../../src/platform/events/event-bus.js';
import type { HealthRegistry } from '../../src/platform/health/health-registry.js';
import type { ManagedJobQueue } from '../../src/platform/jobs/job-queue.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';
import type { AzimuthSettings as Settings } from '../../src/roles/settings.js';

export interface ModulePorts {
  settings: Settings;
  logger: Logger;
  metrics: Registry;
  health: HealthRegistry;
  events: ManagedEventBus;
  jobs: ManagedJobQueue;
  bundle: BlobStoreBundle;
  db: PlatformDb;
  progress: ProgressSocket;
}
