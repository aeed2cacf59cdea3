// Builds a listening app with the scans module over real parts: PGlite, the disk or Azurite blob
// driver, the memory event bus, the in-process queue, the shared /ws socket, and the LLM stand-in
// or no provider; the worker runs in the same process. Photos are made by sharp in the test.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { expect } from 'vitest';
import { buildApp } from '../../../src/http/app.js';
import type { App } from '../../../src/http/app-types.js';
import { createProgressSocket } from '../../../src/http/progress-socket.js';
import {
  createScansModule,
  scansMigrations,
  type ScansModuleDeps,
} from '../../../src/modules/scans/scans-module.js';
import { createJwtAuthenticator } from '../../../src/platform/auth/authenticator.js';
import { mintToken } from '../../../src/platform/auth/mint-token.js';
import { type BlobStoreBundle } from '../../../src/platform/blob/index.js';
import type { AzimuthSettings as Settings } from '../../../src/roles/settings.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { MemoryEventBus } from '../../../src/platform/events/memory-event-bus.js';
import { createHealthRegistry } from '../../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../../src/platform/health/lifecycle.js';
import { InProcessJobQueue } from '../../../src/platform/jobs/in-process-job-queue.js';
import { createNoneLlmProvider, type LlmProvider } from '../../../src/platform/llm/index.js';
import { createLogger } from '../../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../../src/platform/telemetry/metrics.js';
import type { PlatformDb } from '../../../src/platform/db/platform-tables.js';
import { createArrayAuditLog } from '../../helpers/fakes.js';
import { testJwtSecret } from '../../helpers/test-app.js';
import { testSettings } from '../../helpers/test-settings.js';
import { testBlobStore } from '../../helpers/test-blob-store.js';

export interface ScansFixture {
  app: App;
  url: string;
  settings: Settings;
  db: PlatformDb;
  bundle: BlobStoreBundle;
  audit: ReturnType<typeof createArrayAuditLog>;
  metrics: Registry;
  close(): Promise<void>;
}

/** The scans module with the `/ws` progress socket it shares with recordings. */
export function scansWithProgress(
  lifecycle: ReturnType<typeof createLifecycle>,
  deps: Omit<Parameters<typeof createScansModule>[0], 'progress'>,
) {
  const progress = createProgressSocket({
    events: deps.events,
    lifecycle,
    metrics: deps.metrics,
    logger: deps.logger,
    pingIntervalMs: 30_000,
    maxMessageBytes: 4096,
  });
  return { scans: createScansModule({ ...deps, progress }), progress };
}

export async function buildScansApp(
  options: {
    env?: Record<string, string>;
    llm?: LlmProvider;
    faults?: ScansModuleDeps['faults'];
    now?: () => Date;
  } = {},
): Promise<ScansFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'azimuth-scans-'));
  const settings = await testSettings({
    DATA_DIR: dataDir,
    SCANS_RETRY_DELAY_MS: '0',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = createLogger({ level: 'silent' });
  const database = await createPgliteDatabase({ dataDir: ':memory:' });
  await migrateUp({ db: database.db, migrations: { ...platformMigrations, ...scansMigrations } });
  const audit = createArrayAuditLog();
  const bundle = await testBlobStore(settings, logger, audit);
  const events = new MemoryEventBus({ replaySize: 100 }, { logger });
  const jobs = new InProcessJobQueue({ logger });
  const metrics = createMetricsRegistry();
  const lifecycle = createLifecycle();
  const { scans, progress } = scansWithProgress(lifecycle, {
    db: database.db,
    blobs: bundle.store,
    jobs,
    events,
    llm: options.llm ?? createNoneLlmProvider(),
    audit,
    metrics,
    logger,
    settings,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const app = await buildApp({
    settings,
    logger,
    metrics,
    health: createHealthRegistry({ timeoutMs: 2000 }),
    lifecycle,
    ...(settings.AUTH_MODE === 'jwt'
      ? { authenticator: createJwtAuthenticator({ secret: testJwtSecret }) }
      : {}),
    modules: [scans.routes, progress.module],
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  lifecycle.markReady();
  const worker = scans.startWorker();
  return {
    app,
    url,
    settings,
    db: database.db,
    bundle,
    audit,
    metrics,
    async close() {
      await worker.close();
      await app.close();
      await jobs.close();
      await events.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const tokenFor = (subject: string, roles?: string[]) =>
  mintToken({ secret: testJwtSecret, subject, ...(roles === undefined ? {} : { roles }) });

/** A photo made by sharp: a gradient with a shape, so hashes differ between `seed`s. */
export async function makePhoto(
  format: 'jpeg' | 'png' | 'webp',
  options: { seed?: number; width?: number; height?: number; gps?: boolean } = {},
): Promise<Buffer> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const seed = options.seed ?? 1;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#${((seed * 2654435761) % 0xffffff).toString(16).padStart(6, '0')}"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${(seed * 97) % width}" cy="${(seed * 57) % height}" r="${60 + (seed % 5) * 20}" fill="#123"/>
    <text x="20" y="${height - 40}" font-size="40">Ingredients: aqua, parfum</text></svg>`;
  let image = sharp(Buffer.from(svg));
  if (options.gps === true)
    image = image.withExif({
      IFD0: { Make: 'TestPhone', Model: 'GPS-1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
      },
    });
  return image.toFormat(format).toBuffer();
}

export interface Post {
  image?: { data: Buffer; name?: string; type?: string };
  fields?: Record<string, string>;
  /** Fields placed after the image part. */
  after?: Record<string, string>;
  token?: string;
  query?: string;
}

export async function postScan(
  fixture: ScansFixture,
  post: Post,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields ?? {})) form.append(name, value);
  if (post.image !== undefined)
    form.append(
      'image',
      new Blob([post.image.data], { type: post.image.type ?? 'image/jpeg' }),
      post.image.name ?? 'photo.jpg',
    );
  for (const [name, value] of Object.entries(post.after ?? {})) form.append(name, value);
  const response = await fetch(`${fixture.url}/api/scans${post.query ?? ''}`, {
    method: 'POST',
    body: form,
    headers: post.token === undefined ? {} : { authorization: `Bearer ${post.token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface Detail {
  id: string;
  status: string;
  stage: string;
  error: string | null;
  productName: string | null;
  riskLevel: string | null;
  likelyDuplicateOf: string | null;
  stages: Record<string, { state: string; reason?: string }>;
  image: { width: number; height: number; perceptualHash: string; duplicateOf: string | null } | null;
  analysis: Record<string, unknown> | null;
  risk: { level: string; matched: number; high: number } | null;
  links: Record<string, string>;
  blobUrl: string;
}

export async function detail(fixture: ScansFixture, id: string, token?: string): Promise<Detail> {
  const response = await fixture.app.inject({
    method: 'GET',
    url: `/api/scans/${id}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Detail>();
}

export async function waitFor(
  fixture: ScansFixture,
  id: string,
  status: 'completed' | 'failed',
  token?: string,
) {
  await expect
    .poll(async () => (await detail(fixture, id, token)).status, { timeout: 60_000, interval: 100 })
    .toBe(status);
  return detail(fixture, id, token);
}

export async function blobNames(fixture: ScansFixture): Promise<string[]> {
  const page = await fixture.bundle.store
    .list(fixture.settings.SCANS_CONTAINER, { pageSize: 1000 })
    .catch(() => ({ items: [] }));
  return page.items.map((item) => item.name).sort();
}

/** A WebSocket client keeping every message (the recordings fixture's: /ws is shared). */
export { connect } from '../recordings/recordings-fixture.js';

const run = promisify(execFile);

/** The PDF's text, by pdftotext (Debian poppler-utils; .ci/run installs it). */
export async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scans-pdf-'));
  try {
    await writeFile(join(dir, 'r.pdf'), pdf);
    const { stdout } = await run('pdftotext', ['-layout', join(dir, 'r.pdf'), '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
