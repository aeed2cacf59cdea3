// What the pipeline benches (recordings, scans) share: an API in this process over PostgreSQL,
// BullMQ, Redis events and a shared disk, a worker in another process, and the clean-up of all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { migrateUp, type MigrationRecord } from '../../src/platform/db/migrator.js';
import { platformMigrations } from '../../src/platform/db/platform-migrations.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { loadAzimuthSettings, type AzimuthSettings } from '../../src/roles/settings.js';
import { createTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { reachable, services } from '../../test/helpers/services.js';
import { sharedServices } from '../../test/modules/recordings/fixtures/shared-services.js';
import { benchRedisOptions } from './redis.js';

export interface PipelineBench {
  dir: string;
  /** The worker's environment (the API's settings come from it too). */
  env: Record<string, string>;
  settings: AzimuthSettings;
  shared: Awaited<ReturnType<typeof sharedServices>>;
  logger: ReturnType<typeof createLogger>;
  postgres: TestPostgres;
  prefix: string;
}

/** False (and says so) when Redis or PostgreSQL is not there. */
export async function pipelineServicesReachable(): Promise<boolean> {
  const found =
    (await reachable(services.redis.host, services.redis.port)) &&
    (await reachable(services.postgres.host, services.postgres.port));
  if (!found) console.log('skipped: needs Redis on 6379 and PostgreSQL on 5432');
  return found;
}

export async function openPipelineBench(
  name: string,
  options: { env: Record<string, string>; migrations: MigrationRecord },
): Promise<PipelineBench> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const logger = createLogger({ level: 'silent' });
  const postgres = await createTestPostgres(`bench_${name}`);
  const prefix = `bench-${name}-${process.pid}`;
  const env = {
    DATA_DIR: join(dir, 'data'),
    TEST_DATABASE_URL: postgres.url,
    JOBS_PREFIX: prefix,
    EVENTS_PREFIX: `${prefix}:`,
    UPLOAD_QUOTA_MB_PER_HOUR: '100000',
    UPLOAD_RATE_LIMIT_MAX_REQUESTS: '100000',
    API_RATE_LIMIT_GLOBAL: '100000',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const settings = await loadAzimuthSettings({
    env: { ENVIRONMENT: 'test', ...env },
    configDir: '/nonexistent',
  });
  const shared = await sharedServices(settings, {
    databaseUrl: postgres.url,
    jobsPrefix: prefix,
    eventsPrefix: `${prefix}:`,
    logger,
  });
  await migrateUp({ db: shared.database.db, migrations: { ...platformMigrations, ...options.migrations } });
  return { dir, env, settings, shared, logger, postgres, prefix };
}

/** Starts `script` (bench/fixtures/) as the worker; resolves once it says "ready". */
export async function spawnBenchWorker(
  bench: PipelineBench,
  script: URL,
  onLine: (line: string) => void = () => undefined,
): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--import', 'tsx', script.pathname], {
    env: { ...process.env, ...bench.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  worker.stdout.setEncoding('utf8');
  worker.stdout.on('data', (chunk: string) => {
    output += chunk;
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') ready();
      else onLine(line);
    }
  });
  await started;
  return worker;
}

/** Stops the worker, then removes the database, the Redis keys and the files the bench made. */
export async function closePipelineBench(
  bench: PipelineBench,
  worker: ChildProcess,
  app: { close(): Promise<unknown> },
): Promise<void> {
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await app.close();
  await bench.shared.close();
  await bench.postgres.drop();
  for (const db of [benchRedisOptions.databases.jobs, benchRedisOptions.databases.events]) {
    const admin = new Redis({ host: services.redis.host, port: services.redis.port, db });
    const keys = await admin.keys(`${bench.prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  }
  await rm(bench.dir, { recursive: true, force: true });
}
