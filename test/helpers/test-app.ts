// The one test-app builder: the app built the way the roles build it, with the modules a test
// names composed over real embedded ports (disk blobs, PGlite, memory cache, bus and jobs unless
// given), a logger whose lines the test can read back, and tokens for AUTH_MODE=jwt.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import type { App, AppModule } from '../../src/http/app-types.js';
import { createProgressSocket } from '../../src/http/progress-socket.js';
import { filesModule } from '../../src/modules/files/files-module.js';
import { recordingsMigrations } from '../../src/modules/recordings/recordings-module.js';
import { scansMigrations } from '../../src/modules/scans/scans-module.js';
import { starsModule, type StarsModule, type StarsModuleDeps } from '../../src/modules/stars/stars-module.js';
import type { StarsStore } from '../../src/modules/stars/stars-store.js';
import { createJwtAuthenticator } from '../../src/platform/auth/authenticator.js';
import { mintToken } from '../../src/platform/auth/mint-token.js';
import { type BlobStoreBundle } from '../../src/platform/blob/index.js';
import { cacheOptionsFromSettings } from '../../src/platform/cache/cache-options.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { MemoryCache } from '../../src/platform/cache/memory-cache.js';
import type { ManagedEventBus } from '../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry, type HealthRegistry } from '../../src/platform/health/health-registry.js';
import { createLifecycle, type Lifecycle } from '../../src/platform/health/lifecycle.js';
import { InProcessJobQueue } from '../../src/platform/jobs/in-process-job-queue.js';
import type { ManagedJobQueue } from '../../src/platform/jobs/job-queue.js';
import type { Database } from '../../src/platform/db/database.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../src/platform/telemetry/metrics.js';
import type { AzimuthSettings as Settings } from '../../src/roles/settings.js';
import { createArrayAuditLog } from './fakes.js';
import { openModuleDatabase } from './module-database.js';
import type { ModulePorts } from './module-ports.js';
import { openRecordings, type RecordingsParts, type RecordingsTestOptions } from './recordings-parts.js';
import { openScans, type ScansParts, type ScansTestOptions } from './scans-parts.js';
import { testSettings } from './test-settings.js';
import { testJwtSecret } from './known-secrets.js';
import { collectLogLines, collectingLevel, showsAnyLine, shownAt } from './collected-logs.js';
import { testBlobStore } from './test-blob-store.js';

export { testJwtSecret } from './known-secrets.js';

export type ModuleName = 'files' | 'stars' | 'recordings' | 'scans';

export interface StarsTestOptions {
  store: StarsStore;
  heartbeatMs?: number;
  /** Overrides of what the module sees (e.g. production with DEBUG, which settings refuse). */
  moduleSettings?: Partial<StarsModuleDeps['settings']>;
  clock?: () => number;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** The modules to compose, by name, and any extra surface a test brings (probes). */
  modules?: ReadonlyArray<ModuleName | AppModule>;
  stars?: StarsTestOptions;
  recordings?: RecordingsTestOptions;
  scans?: ScansTestOptions;
  /** Recordings and scans on PostgreSQL instead of an in-memory PGlite. */
  databaseUrl?: string;
  cache?: Cache;
  events?: ManagedEventBus;
  jobs?: ManagedJobQueue;
  /** Default true: lifecycle marked ready. */
  ready?: boolean;
  /** Listen on a free port (WebSocket and fetch tests); default false: use `app.inject`. */
  listen?: boolean;
  dataDir?: string;
  /** The built web console to serve at / (test/console). */
  console?: AppDeps['console'];
  /** Where storage operations and refusals are audited (default: an array nobody reads). */
  auditLog?: NonNullable<AppDeps['auditLog']>;
}

export interface StarsParts {
  stars: StarsModule;
  starsStore: StarsStore;
}

type Has<O, N> = O extends { modules: ReadonlyArray<infer M> } ? (N extends M ? true : false) : false;

/** The app, with the parts of the modules it was built with. */
export type TestAppFor<O> = TestApp &
  (Has<O, 'stars'> extends true ? StarsParts : unknown) &
  (Has<O, 'recordings'> extends true ? RecordingsParts : unknown) &
  (Has<O, 'scans'> extends true ? ScansParts : unknown);

export interface TestApp extends Partial<RecordingsParts>, Partial<ScansParts>, Partial<StarsParts> {
  app: App;
  deps: AppDeps;
  settings: Settings;
  /** Set when `listen` is. */
  url: string;
  dataDir: string;
  bundle: BlobStoreBundle;
  cache: Cache;
  events: ManagedEventBus;
  jobs: ManagedJobQueue;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  metrics: Registry;
  /** Every log line written so far, parsed. */
  logs(): Record<string, unknown>[];
  /** A bearer header for AUTH_MODE=jwt. */
  auth(subject: string, roles?: string[]): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** Test defaults per module: busy suites must not trip the rate limits, nor wait between retries. */
function moduleEnv(names: ModuleName[]): Record<string, string> {
  const env: Record<string, string> = { LOG_LEVEL: 'info' };
  if (names.includes('stars'))
    Object.assign(env, {
      LOG_LEVEL: 'silent',
      DEBUG: 'true',
      API_RATE_LIMIT_TIMES: '100000',
      API_RATE_LIMIT_GLOBAL: '100000',
      // The stream suites open hundreds of streams from one address.
      API_MAX_STREAMS_PER_CLIENT: '100000',
    });
  if (names.includes('recordings'))
    Object.assign(env, { LOG_LEVEL: 'silent', RECORDINGS_RETRY_DELAY_MS: '0' });
  if (names.includes('scans')) Object.assign(env, { LOG_LEVEL: 'silent', SCANS_RETRY_DELAY_MS: '0' });
  return env;
}

function capturingLogger(level: string) {
  const lines: string[] = [];
  // A silent app (the fuzz, busy suites) writes thousands of lines at info for the secret scan;
  // kept here too they would only grow the heap, since logs() would filter every one out.
  const keep = showsAnyLine(level);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      collectLogLines(text);
      if (keep) lines.push(...text.split('\n').filter(Boolean));
      callback();
    },
  });
  return {
    logger: createLogger({ level: collectingLevel(level), destination }),
    logs: () =>
      lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => shownAt(level, line.level)),
  };
}

export async function buildTestApp<const O extends TestAppOptions>(
  options: O = {} as O,
): Promise<TestAppFor<O>> {
  const names = (options.modules ?? []).filter((m): m is ModuleName => typeof m === 'string');
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'azimuth-test-')));
  const settings = await testSettings({ ...moduleEnv(names), DATA_DIR: dataDir, ...options.env });
  const { logger, logs } = capturingLogger(settings.LOG_LEVEL);
  const metrics = createMetricsRegistry();
  const health = createHealthRegistry({ timeoutMs: 2000 });
  const lifecycle = createLifecycle();
  const cache = options.cache ?? new MemoryCache(cacheOptionsFromSettings(settings), { logger });
  const events = options.events ?? new MemoryEventBus({ replaySize: 1000 }, { logger });
  const jobs = options.jobs ?? new InProcessJobQueue({ logger });
  const audit = options.auditLog ?? createArrayAuditLog();
  const bundle = await testBlobStore(settings, logger, audit);
  const ports = { settings, logger, metrics, health, lifecycle, events, jobs, bundle };
  const database = await openSharedDatabase(names, options.databaseUrl, logger);
  const modulePorts = database && { ...ports, db: database.db, progress: progressSocket(ports) };
  const recordings =
    modulePorts && names.includes('recordings')
      ? openRecordings(modulePorts, options.recordings ?? {})
      : undefined;
  const scans =
    modulePorts && names.includes('scans')
      ? openScans({ ...modulePorts, audit }, options.scans ?? {})
      : undefined;
  const stars = names.includes('stars') ? starsFor(options.stars, { ...ports, cache }) : undefined;

  const modules = (options.modules ?? []).map((m): AppModule => {
    if (typeof m !== 'string') return m;
    if (m === 'files')
      return filesModule({
        blobs: bundle.store,
        health: bundle.health,
        settings,
        ...(bundle.verifyLink === undefined ? {} : { verifyLink: bundle.verifyLink }),
      });
    if (m === 'stars') return stars as StarsModule;
    if (m === 'scans') return (scans as NonNullable<typeof scans>).module;
    return (recordings as NonNullable<typeof recordings>).module;
  });
  if (modulePorts) modules.push(modulePorts.progress.module);
  const deps: AppDeps = {
    settings,
    logger,
    metrics,
    health,
    lifecycle,
    ...(settings.AUTH_MODE === 'jwt'
      ? { authenticator: createJwtAuthenticator({ secret: settings.AUTH_JWT_SECRET ?? testJwtSecret }) }
      : {}),
    modules,
    ...(options.console ? { console: options.console } : {}),
    ...(options.auditLog ? { auditLog: options.auditLog } : {}),
  };
  const app = await buildApp(deps);
  await app.ready();
  const url = options.listen === true ? await app.listen({ port: 0, host: '127.0.0.1' }) : '';
  if (options.ready !== false) lifecycle.markReady();
  const worker = recordings === undefined ? undefined : await recordings.startWorker();
  const scansWorker = scans?.startWorker();

  const built: TestApp = {
    app,
    deps,
    url,
    dataDir,
    ...ports,
    cache,
    ...(recordings === undefined ? {} : { ...recordings.parts, worker }),
    ...(database === undefined ? {} : { db: database.db }),
    ...(scans === undefined ? {} : { scansWorker }),
    ...(stars === undefined || options.stars === undefined ? {} : { stars, starsStore: options.stars.store }),
    logs,
    auth: async (subject, roles = []) => ({
      authorization: `Bearer ${await mintToken({ secret: testJwtSecret, subject, roles })}`,
    }),
    async close() {
      await worker?.close();
      await scansWorker?.close();
      await app.close();
      await options.stars?.store.close();
      if (options.jobs === undefined) await jobs.close();
      if (options.events === undefined) await events.close();
      await database?.close();
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  // The parts TestAppFor<O> promises are there: each named module's were built above.
  return built as TestAppFor<O>;
}

/** The database recordings and scans share, migrated for the named ones; none without them. */
async function openSharedDatabase(
  names: ModuleName[],
  databaseUrl: string | undefined,
  logger: ModulePorts['logger'],
): Promise<Database | undefined> {
  if (!names.includes('recordings') && !names.includes('scans')) return undefined;
  return openModuleDatabase({
    databaseUrl,
    migrations: {
      ...(names.includes('recordings') ? recordingsMigrations : {}),
      ...(names.includes('scans') ? scansMigrations : {}),
    },
    logger,
  });
}

/** The one /ws socket the modules with live progress (recordings, scans) share, as in roles/. */
function progressSocket(
  ports: Pick<ModulePorts, 'settings' | 'events' | 'metrics' | 'logger'> & Pick<TestApp, 'lifecycle'>,
) {
  const { settings, ...rest } = ports;
  return createProgressSocket({
    ...rest,
    pingIntervalMs: settings.WS_PING_INTERVAL_MS,
    maxMessageBytes: settings.WS_MAX_MESSAGE_BYTES,
  });
}

function starsFor(
  options: StarsTestOptions | undefined,
  ports: Pick<TestApp, 'settings' | 'cache' | 'events' | 'lifecycle' | 'metrics'>,
): StarsModule {
  if (options === undefined) throw new Error('The stars module needs `stars: { store }`.');
  return starsModule({
    store: options.store,
    cache: ports.cache,
    events: ports.events,
    lifecycle: ports.lifecycle,
    metrics: ports.metrics,
    settings: { ...ports.settings, ...options.moduleSettings },
    ...(options.heartbeatMs === undefined ? {} : { sse: { heartbeatMs: options.heartbeatMs } }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
