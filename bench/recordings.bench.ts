// The audio pipeline under load: N concurrent uploads of a ~10 MB mp3 (default 20) through the API
// (this process) to a separate worker process (BullMQ, Redis events, PostgreSQL, shared disk), with
// the LLM stand-in. Prints per-recording pipeline time excluding provider time, against a bare
// ffmpeg compression of the same file (the baseline), and the peak RSS of API and worker.
// Args: --uploads=N, --concurrency=N (worker, default 2). Needs Redis and PostgreSQL.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { buildApp } from '../src/http/app.js';
import { compressArgs } from '../src/modules/recordings/ffmpeg.js';
import { recordingsMigrations, recordingsModule } from '../src/modules/recordings/recordings-module.js';
import type { RecordingMessage } from '../src/modules/recordings/recordings-module.js';
import { createHealthRegistry } from '../src/platform/health/health-registry.js';
import { createLifecycle } from '../src/platform/health/lifecycle.js';
import { startLlmStandIn } from '../test/helpers/llm-stand-in.js';
import { settingsFor } from '../test/platform/llm/llm-fixtures.js';
import { percentile } from './support/percentiles.js';
import {
  closePipelineBench,
  openPipelineBench,
  pipelineServicesReachable,
  spawnBenchWorker,
} from './support/pipeline-bench.js';
import { benchProgressSocket } from './support/progress-socket.js';
import { peakRssMb } from './support/processes.js';

const run$ = promisify(execFile);
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

export async function run(): Promise<void> {
  const uploads = arg('uploads', 20);
  const concurrency = arg('concurrency', 2);
  if (!(await pipelineServicesReachable())) return;
  const standIn = await startLlmStandIn();
  standIn.answer = {
    summary: 's',
    keyPoints: [],
    coachingRecommendations: [],
    sentiment: { overall: 'neutral', score: 0, explanation: 'e' },
    actionItems: [],
  };
  const bench = await openPipelineBench('recordings', {
    env: {
      RECORDINGS_CONCURRENCY: String(concurrency),
      RECORDINGS_RETRY_DELAY_MS: '0',
      ...settingsFor(standIn, 'azure_openai'),
    },
    migrations: recordingsMigrations,
  });
  const { dir, settings, shared, logger } = bench;
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
  // Confined as the pipeline runs it: in the audio's directory, with the same limits.
  await run$('ffmpeg', compressArgs({ path: audio, ext: 'mp3' }, join(dir, 'bare.mp3'), 40, 2 ** 30), {
    cwd: dir,
  });
  const bareMs = performance.now() - bareStart;

  const metrics = new Registry();
  const lifecycle = createLifecycle();
  const progress = benchProgressSocket({ events: shared.events, lifecycle, metrics, logger });
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
        logger,
        settings,
        progress,
      }),
      progress.module,
    ],
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const providerMs = new Map<string, number>();
  const worker = await spawnBenchWorker(
    bench,
    new URL('./fixtures/recordings-worker.ts', import.meta.url),
    (line) => {
      const [kind, id, ms] = line.split(' ');
      if (kind === 'provider' && id !== undefined) providerMs.set(id, (providerMs.get(id) ?? 0) + Number(ms));
    },
  );

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

  await closePipelineBench(bench, worker, app);
  await standIn.close();
}
