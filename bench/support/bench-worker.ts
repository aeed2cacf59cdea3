// The body of a bench worker process: settings from the environment, the shared services
// (PostgreSQL, BullMQ, Redis events, the shared disk), "ready" on stdout once the worker runs, and
// a clean exit on SIGTERM.
import { loadAzimuthSettings, type AzimuthSettings } from '../../src/roles/settings.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';
import { sharedServices } from '../../test/modules/recordings/fixtures/shared-services.js';

export interface BenchWorkerParts {
  settings: AzimuthSettings;
  services: Awaited<ReturnType<typeof sharedServices>>;
  logger: Logger;
}

export async function runBenchWorker(
  start: (parts: BenchWorkerParts) => Promise<{ close(): Promise<void> }> | { close(): Promise<void> },
): Promise<void> {
  const settings = await loadAzimuthSettings({
    env: { ...process.env, ENVIRONMENT: 'test' },
    configDir: '/nonexistent',
  });
  const logger = createLogger({ level: 'silent' });
  const services = await sharedServices(settings, {
    databaseUrl: process.env.TEST_DATABASE_URL ?? '',
    jobsPrefix: process.env.JOBS_PREFIX ?? 'bench',
    eventsPrefix: process.env.EVENTS_PREFIX ?? 'bench:',
    logger,
  });
  const worker = await start({ settings, services, logger });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker
      .close()
      .then(() => services.close())
      .then(() => process.exit(0));
  });
}
