// Builds a listening app with the recordings module over real parts: PGlite (or PostgreSQL), the
// disk or Azurite blob driver, memory or Redis events and jobs, the LLM stand-in or no provider, and
// the system ffmpeg; plus the worker in the same process unless a test runs it elsewhere.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { Registry } from 'prom-client';
import { buildApp } from '../../../src/http/app.js';
import type { App } from '../../../src/http/app-types.js';
import { createJwtAuthenticator } from '../../../src/platform/auth/authenticator.js';
import { mintToken } from '../../../src/platform/auth/mint-token.js';
import {
  blobStoreOptionsFromSettings,
  createBlobStore,
  type BlobStoreBundle,
} from '../../../src/platform/blob/index.js';
import type { Settings } from '../../../src/platform/config/settings-schema.js';
import type { Database } from '../../../src/platform/db/database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import type { ManagedEventBus } from '../../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry, type HealthRegistry } from '../../../src/platform/health/health-registry.js';
import { createLifecycle, type Lifecycle } from '../../../src/platform/health/lifecycle.js';
import { InProcessJobQueue } from '../../../src/platform/jobs/in-process-job-queue.js';
import type { ManagedJobQueue } from '../../../src/platform/jobs/job-queue.js';
import { createNoneLlmProvider, type LlmProvider } from '../../../src/platform/llm/index.js';
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import { createLogger, type Logger } from '../../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../../src/platform/telemetry/metrics.js';
import {
  recordingsMigrations,
  recordingsModule,
  registerRecordingsWorker,
  type PipelinePoint,
  type RecordingsWorker,
} from '../../../src/modules/recordings/index.js';
import type { PlatformDb } from '../../../src/platform/db/platform-tables.js';
import { createArrayAuditLog, createMapCache } from '../../helpers/fakes.js';
import { testJwtSecret } from '../../helpers/test-app.js';
import { testSettings } from '../../helpers/test-settings.js';
import { multipartBody, multipartHeaders } from '../files/files-fixture.js';

const run = promisify(execFile);

export interface RecordingsFixture {
  app: App;
  url: string;
  settings: Settings;
  db: PlatformDb;
  bundle: BlobStoreBundle;
  events: ManagedEventBus;
  jobs: ManagedJobQueue;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  metrics: Registry;
  worker: RecordingsWorker | undefined;
  dataDir: string;
  container: string;
  close(): Promise<void>;
}

export interface FixtureOptions {
  env?: Record<string, string>;
  llm?: LlmProvider;
  /** Default true: the worker runs in this process. */
  worker?: boolean;
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  chunkBytes?: number;
  events?: ManagedEventBus;
  jobs?: ManagedJobQueue;
  databaseUrl?: string;
  dataDir?: string;
  now?: () => Date;
}

export const silent = (): Logger => createLogger({ level: 'silent' });

export async function buildRecordingsApp(options: FixtureOptions = {}): Promise<RecordingsFixture> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'azimuth-recordings-')));
  const settings = await testSettings({
    DATA_DIR: dataDir,
    RECORDINGS_RETRY_DELAY_MS: '0',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = silent();
  const database: Database =
    options.databaseUrl === undefined
      ? await createPgliteDatabase({ dataDir: ':memory:' })
      : await createPostgresDatabase(
          {
            url: options.databaseUrl,
            poolSize: 5,
            idleTimeoutMs: 10_000,
            maxLifetimeSeconds: 600,
            statementTimeoutMs: 30_000,
          },
          { logger },
        );
  await migrateUp({ db: database.db, migrations: recordingsMigrations });
  const db = database.db;
  const bundle = await createBlobStore(blobStoreOptionsFromSettings(settings), {
    logger,
    registry: new Registry(),
    audit: createArrayAuditLog(),
    cache: createMapCache(),
    quota: createMemoryQuotaStore(),
  });
  const events = options.events ?? new MemoryEventBus({ replaySize: 100 }, { logger });
  const jobs = options.jobs ?? new InProcessJobQueue({ logger });
  const metrics = createMetricsRegistry();
  const health = createHealthRegistry({ timeoutMs: 2000 });
  const lifecycle = createLifecycle();
  const llm = options.llm ?? createNoneLlmProvider();
  const now = options.now === undefined ? {} : { now: options.now };

  const app = await buildApp({
    settings,
    logger,
    metrics,
    health,
    lifecycle,
    ...(settings.AUTH_MODE === 'jwt'
      ? { authenticator: createJwtAuthenticator({ secret: testJwtSecret }) }
      : {}),
    modules: [
      recordingsModule({
        db,
        blobs: bundle.store,
        jobs,
        events,
        lifecycle,
        metrics,
        logger,
        settings,
        ...now,
      }),
    ],
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  lifecycle.markReady();
  const worker =
    options.worker === false
      ? undefined
      : await registerRecordingsWorker({
          db,
          blobs: bundle.store,
          jobs,
          events,
          llm,
          health,
          logger,
          settings,
          ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
          ...(options.faults === undefined ? {} : { faults: options.faults }),
          ...now,
        });

  return {
    app,
    url: address,
    settings,
    db,
    bundle,
    events,
    jobs,
    health,
    lifecycle,
    metrics,
    worker,
    dataDir,
    container: settings.RECORDINGS_CONTAINER,
    async close() {
      await worker?.close();
      await app.close();
      if (options.jobs === undefined) await jobs.close();
      if (options.events === undefined) await events.close();
      await database.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Generates a sine tone with ffmpeg's lavfi source. */
export async function makeTone(
  dir: string,
  options: { seconds: number; format: 'mp3' | 'wav' | 'flac' | 'ogg'; frequency?: number; name?: string },
): Promise<string> {
  const path = join(dir, options.name ?? `tone-${options.seconds}s.${options.format}`);
  await run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${options.frequency ?? 440}:duration=${options.seconds}`,
    ...(options.format === 'mp3' ? ['-b:a', '128k'] : []),
    path,
  ]);
  return path;
}

export function tokenFor(subject: string): Promise<string> {
  return mintToken({ secret: testJwtSecret, subject });
}

export interface UploadOptions {
  data: Buffer;
  filename?: string;
  fields?: Record<string, string>;
  token?: string;
}

export async function upload(fixture: RecordingsFixture, options: UploadOptions) {
  return fixture.app.inject({
    method: 'POST',
    url: '/api/process-audio',
    headers: {
      ...multipartHeaders,
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    payload: multipartBody({
      data: options.data,
      filename: options.filename ?? 'call.mp3',
      contentType: 'audio/mpeg',
      ...(options.fields === undefined ? {} : { fields: options.fields }),
    }),
  });
}

export interface Detail {
  id: string;
  status: string;
  stage: string;
  percent: number;
  error: string | null;
  durationSeconds: number | null;
  compressedBytes: number | null;
  stages: Record<string, { state: string; reason?: string }>;
  transcript: {
    text: string;
    segments: { start: number; end: number; text: string }[];
    chunks: number;
  } | null;
  insights: Record<string, unknown> | null;
  cost: {
    totalUsd: number;
    transcription: { usd: number; audioSeconds: number } | null;
    analysis: { usd: number; inputTokens: number } | null;
  };
  warnings: string[];
  retries: number;
  links: { original: string; compressed: string | null; metadata: string | null };
}

export async function detail(fixture: RecordingsFixture, id: string, token?: string): Promise<Detail> {
  const response = await fixture.app.inject({
    method: 'GET',
    url: `/api/recordings/${id}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Detail>();
}

export async function waitForStatus(
  fixture: RecordingsFixture,
  id: string,
  status: 'completed' | 'failed',
  token?: string,
): Promise<Detail> {
  await expect
    .poll(async () => (await detail(fixture, id, token)).status, { timeout: 60_000, interval: 100 })
    .toBe(status);
  return detail(fixture, id, token);
}

/** Blob names in the recordings container, sorted. */
export async function blobNames(fixture: RecordingsFixture): Promise<string[]> {
  const page = await fixture.bundle.store
    .list(fixture.container, { pageSize: 1000 })
    .catch(() => ({ items: [] }));
  return page.items.map((item) => item.name).sort();
}

/** A WebSocket client that keeps every message it receives. */
export async function connect(
  fixture: Pick<RecordingsFixture, 'url'>,
  query = '',
): Promise<{
  socket: WebSocket;
  messages: Record<string, unknown>[];
  send(value: unknown): void;
  close(): Promise<void>;
}> {
  const socket = new WebSocket(`${fixture.url.replace(/^http/, 'ws')}/ws${query}`);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data: Buffer) =>
    messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) resolve();
        else {
          socket.once('close', () => resolve());
          socket.close();
        }
      }),
  };
}

export const validInsights = {
  summary: 'A short test call about a tone.',
  keyPoints: ['A tone played', 'Nobody spoke'],
  coachingRecommendations: ['Say something next time'],
  sentiment: { overall: 'neutral', score: 0, explanation: 'Only a tone.' },
  actionItems: [{ description: 'Record again with speech', owner: null, dueDate: null }],
};
