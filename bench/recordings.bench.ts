// The audio pipeline under load: N concurrent uploads of a ~10 MB mp3 (default 20) through the API
// (this process) to a separate worker process (BullMQ, Redis events, PostgreSQL, shared disk), with
// the LLM stand-in. Prints per-recording pipeline time excluding provider time, against a bare
// ffmpeg compression of the same file (the baseline), and the peak RSS of API and worker.
// Args: --uploads=N, --concurrency=N (worker, default 2). Needs Redis and PostgreSQL.
import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { buildApp } from '../src/http/app.js';
import { compressArgs } from '../src/modules/recordings/ffmpeg.js';
import { recordingsMigrations, recordingsModule } from '../src/modules/recordings/recordings-module.js';
import type { RecordingMessage } from '../src/modules/recordings/recordings-module.js';
import { loadAzimuthSettings } from '../src/roles/settings.js';
import { migrateUp } from '../src/platform/db/migrator.js';
import { platformMigrations } from '../src/platform/db/platform-migrations.js';
import { createHealthRegistry } from '../src/platform/health/health-registry.js';
import { createLifecycle } from '../src/platform/health/lifecycle.js';
import { createLogger } from '../src/platform/telemetry/logger.js';
import { createTestPostgres } from '../test/helpers/postgres.js';
import { reachable, services } from '../test/helpers/services.js';
import { startLlmStandIn } from '../test/helpers/llm-stand-in.js';
import { settingsFor } from '../test/platform/llm/llm-fixtures.js';
import { sharedServices } from '../test/modules/recordings/fixtures/shared-services.js';
import { percentile } from './support/percentiles.js';
import { peakRssMb } from './support/processes.js';
import { benchRedisOptions } from './support/redis.js';

const run$ = promisify(execFile);
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

export async function run(): Promise<void> {
  const uploads = arg('uploads', 20);
  const concurrency = arg('concurrency', 2);
  if (
    !(await reachable(services.redis.host, services.redis.port)) ||
    !(await reachable(services.postgres.host, services.postgres.port))
  ) {
    console.log('skipped: needs Redis on 6379 and PostgreSQL on 5432');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-recordings-'));
  const logger = createLogger({ level: 'silent' });
  const postgres = await createTestPostgres('bench_recordings');
  const standIn = await startLlmStandIn();
  standIn.answer = {
    summary: 's',
    keyPoints: [],
    coachingRecommendations: [],
    sentiment: { overall: 'neutral', score: 0, explanation: 'e' },
    actionItems: [],
  };
  const audio = join(dir, 'ten-mb.mp3');
  // 128 kbit/s for 655 s ≈ 10 MB.
  await run$('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=655',
    '-b:a',
    '128k',
    audio,
  ]);
  const size = (await stat(audio)).size;

  // Baseline: the same compression, ffmpeg alone.
  const bareStart = performance.now();
  await run$('ffmpeg', compressArgs(audio, join(dir, 'bare.mp3'), 40));
  const bareMs = performance.now() - bareStart;

  const prefix = `bench-recordings-${process.pid}`;
  const env = {
    DATA_DIR: join(dir, 'data'),
    TEST_DATABASE_URL: postgres.url,
    JOBS_PREFIX: prefix,
    EVENTS_PREFIX: `${prefix}:`,
    RECORDINGS_CONCURRENCY: String(concurrency),
    RECORDINGS_RETRY_DELAY_MS: '0',
    UPLOAD_QUOTA_MB_PER_HOUR: '100000',
    API_RATE_LIMIT_GLOBAL: '100000',
    LOG_LEVEL: 'silent',
    ...settingsFor(standIn, 'azure_openai'),
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
  await migrateUp({ db: shared.database.db, migrations: { ...platformMigrations, ...recordingsMigrations } });
  const metrics = new Registry();
  const lifecycle = createLifecycle();
  const app = await buildApp({
    settings,
    logger,
    metrics,
    health: createHealthRegistry(),
    lifecycle,
    modules: [
      recordingsModule({
        db: shared.database.db,
        blobs: shared.bundle.store,
        jobs: shared.jobs,
        events: shared.events,
        lifecycle,
        metrics,
        logger,
        settings,
      }),
    ],
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fixtures/recordings-worker.ts', import.meta.url))],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const providerMs = new Map<string, number>();
  let output = '';
  worker.stdout.setEncoding('utf8');
  worker.stdout.on('data', (chunk: string) => {
    output += chunk;
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, id, ms] = line.split(' ');
      if (kind === 'provider' && id !== undefined) providerMs.set(id, (providerMs.get(id) ?? 0) + Number(ms));
      if (kind === 'ready') workerReady();
    }
  });
  let workerReady: () => void = () => undefined;
  await new Promise<void>((resolve) => (workerReady = resolve));

  const boundary = '----bench-boundary';
  const post = async (): Promise<{ id: string; uploadMs: number }> => {
    const started = performance.now();
    const body = Readable.from(
      (async function* () {
        yield Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="call.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`,
        );
        for await (const chunk of createReadStream(audio)) yield chunk;
        yield Buffer.from(`\r\n--${boundary}--\r\n`);
      })(),
    );
    // node:http and pipe(), for backpressure: Readable.toWeb() reads ahead without bound on Node 20.
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(`${url}/api/process-audio`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      request.once('error', reject);
      request.once('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      body.pipe(request);
    });
    const json = JSON.parse(text) as { id: string };
    if (status !== 202) throw new Error(`upload answered ${status}: ${text}`);
    return { id: json.id, uploadMs: performance.now() - started };
  };

  // RSS sampled while the uploads stream (before much stand-in traffic lands in this process too).
  const rssBefore = process.memoryUsage.rss();
  let uploadPeak = 0;
  const sampler = setInterval(() => (uploadPeak = Math.max(uploadPeak, process.memoryUsage.rss())), 20);
  const wallStart = performance.now();
  const started = new Map<string, number>();
  const finished = new Map<string, number>();
  const done = new Map<string, Promise<void>>();
  const posted = await Promise.all(Array.from({ length: uploads }, post));
  clearInterval(sampler);
  for (const { id } of posted) {
    done.set(
      id,
      new Promise<void>((resolve, reject) => {
        const subscription = shared.events.subscribe<RecordingMessage>(`recordings:${id}`, {
          after: '0-0',
          onEvent: ({ data }) => {
            if (data.type === 'progress' && data.stage === 'compress' && !started.has(id))
              started.set(id, performance.now());
            if (data.type === 'completed') {
              finished.set(id, performance.now());
              subscription.unsubscribe();
              resolve();
            }
            if (data.type === 'failed') reject(new Error(`${id} failed: ${data.error}`));
          },
        });
      }),
    );
  }
  await Promise.all(done.values());
  const wallMs = performance.now() - wallStart;
  const workerPeak = await peakRssMb(worker.pid ?? 0);
  const apiPeak = process.resourceUsage().maxRSS / 1024;

  // Started times taken from replay may be late for jobs that began before their subscription; the
  // replay starts at the channel's beginning ('0-0'), so the first compress event is still seen.
  const jobMs = posted.map(({ id }) => (finished.get(id) ?? 0) - (started.get(id) ?? 0));
  const overhead = posted.map(({ id }, i) => (jobMs[i] ?? 0) - (providerMs.get(id) ?? 0));
  const uploadMs = posted.map((p) => p.uploadMs);
  const fmt = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(0)} ms  p99 ${percentile(xs, 99).toFixed(0)} ms`;
  console.log(
    `file ${(size / 1024 / 1024).toFixed(1)} MB, ${uploads} concurrent uploads, worker concurrency ${concurrency}`,
  );
  console.log(`bare ffmpeg compression   ${bareMs.toFixed(0)} ms  (baseline)`);
  console.log(`upload (202)              ${fmt(uploadMs)}`);
  console.log(
    `job, provider excluded    ${fmt(overhead)}  ${(percentile(overhead, 50) / bareMs).toFixed(2)}× baseline p50`,
  );
  console.log(`provider time per job     ${fmt(posted.map(({ id }) => providerMs.get(id) ?? 0))}`);
  console.log(`all done in               ${(wallMs / 1000).toFixed(1)} s`);
  console.log(
    `peak RSS                  api ${(uploadPeak / 1024 / 1024).toFixed(0)} MB while uploading (${(rssBefore / 1024 / 1024).toFixed(0)} MB before; ${apiPeak.toFixed(0)} MB overall, with the client and the LLM stand-in in it), worker ${workerPeak.toFixed(0)} MB`,
  );

  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await app.close();
  await shared.close();
  await standIn.close();
  await postgres.drop();
  for (const db of [benchRedisOptions.databases.jobs, benchRedisOptions.databases.events]) {
    const admin = new Redis({ host: services.redis.host, port: services.redis.port, db });
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  }
  await rm(dir, { recursive: true, force: true });
}
