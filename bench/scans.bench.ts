// The scans pipeline under load: N concurrent ~3 MB photos (default 50) posted to the API (this
// process) and processed by a separate worker process (BullMQ, Redis events, PostgreSQL, shared disk)
// without an LLM provider. Prints photos per second, p95 time from upload to `completed`, p95 of a
// PDF report render, and the peak RSS of API and worker; the baseline is sharp alone making one
// photo's normalized image and thumbnail. Args: --photos=N, --concurrency=N (worker, default 2).
import { Registry } from 'prom-client';
import sharp from 'sharp';
import { buildApp } from '../src/http/app.js';
import { loadIngredientCatalogue } from '../src/modules/scans/ingredient-catalogue.js';
import { scansMigrations, scansModule } from '../src/modules/scans/scans-module.js';
import { renderReportPdf } from '../src/modules/scans/reports/report-pdf.js';
import type { RiskReport } from '../src/modules/scans/reports/risk-report.js';
import type { ScanMessage } from '../src/modules/scans/scan-events.js';
import { createHealthRegistry } from '../src/platform/health/health-registry.js';
import { createLifecycle } from '../src/platform/health/lifecycle.js';
import { createArrayAuditLog } from '../test/helpers/fakes.js';
import { percentile } from './support/percentiles.js';
import { benchProgressSocket } from './support/progress-socket.js';
import {
  closePipelineBench,
  openPipelineBench,
  pipelineServicesReachable,
  spawnBenchWorker,
} from './support/pipeline-bench.js';
import { peakRssMb } from './support/processes.js';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

/** A noisy 2400×1800 JPEG: noise keeps it near 3 MB, as a phone photo is. */
async function photo(): Promise<Buffer> {
  return sharp({
    create: {
      width: 2400,
      height: 1800,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 95 })
    .toBuffer();
}

export async function run(): Promise<void> {
  const photos = arg('photos', 50);
  const concurrency = arg('concurrency', 2);
  if (!(await pipelineServicesReachable())) return;
  const image = await photo();

  // Baseline: sharp alone, one photo to normalized.jpg and thumbnail.webp.
  const bareStart = performance.now();
  const normalized = await sharp(image)
    .rotate()
    .resize(2048, 2048, { fit: 'inside' })
    .jpeg({ quality: 85, mozjpeg: true })
    .toBuffer();
  await sharp(normalized).resize(320, 320, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
  const bareMs = performance.now() - bareStart;

  const bench = await openPipelineBench('scans', {
    env: { SCANS_CONCURRENCY: String(concurrency), SCANS_RETRY_DELAY_MS: '0' },
    migrations: scansMigrations,
  });
  const { settings, shared, logger } = bench;
  const metrics = new Registry();
  const lifecycle = createLifecycle();
  const progress = benchProgressSocket({ events: shared.events, lifecycle, metrics, logger });
  const scans = scansModule({
    db: shared.database.db,
    blobs: shared.bundle.store,
    jobs: shared.jobs,
    audit: createArrayAuditLog(),
    progress,
    settings,
  });
  const app = await buildApp({
    settings,
    logger,
    metrics,
    health: createHealthRegistry(),
    lifecycle,
    modules: [scans, progress.module],
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const worker = await spawnBenchWorker(bench, new URL('./fixtures/scans-worker.ts', import.meta.url));

  const completed = new Map<string, number>();
  const watch = (id: string) =>
    new Promise<void>((resolve, reject) => {
      const subscription = shared.events.subscribe<ScanMessage>(`scans:${id}`, {
        after: '0-0',
        onEvent: ({ data }) => {
          if (data.type === 'completed') {
            completed.set(id, performance.now());
            subscription.unsubscribe();
            resolve();
          }
          if (data.type === 'failed') reject(new Error(`${id} failed: ${data.error ?? ''}`));
        },
      });
    });
  const post = async () => {
    const started = performance.now();
    const form = new FormData();
    form.append('image', new Blob([image], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('ingredients', 'Aqua, DMDM Hydantoin, Parfum, Methylparaben');
    const response = await fetch(`${url}/api/scans`, { method: 'POST', body: form });
    const body = (await response.json()) as { id: string };
    if (response.status !== 202)
      throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
    return { id: body.id, started, done: watch(body.id) };
  };

  const wallStart = performance.now();
  const posted = await Promise.all(Array.from({ length: photos }, post));
  await Promise.all(posted.map((p) => p.done));
  const wallMs = performance.now() - wallStart;
  const workerPeak = await peakRssMb(worker.pid ?? 0);
  const apiPeak = process.resourceUsage().maxRSS / 1024;
  const toCompleted = posted.map((p) => (completed.get(p.id) ?? 0) - p.started);

  // PDF renders of the reports just written, one after another, with their thumbnails.
  const catalogue = loadIngredientCatalogue();
  const pdfMs: number[] = [];
  const thumb = await sharp(normalized).resize(320, 320, { fit: 'inside' }).jpeg().toBuffer();
  for (const { id } of posted) {
    const report = JSON.parse(
      (
        await shared.bundle.store.downloadBuffer({
          container: settings.SCANS_CONTAINER,
          name: `reports/${id}/report.json`,
        })
      ).toString('utf8'),
    ) as RiskReport;
    const started = performance.now();
    await renderReportPdf(report, thumb);
    pdfMs.push(performance.now() - started);
  }

  console.log(
    `photo ${(image.length / 1024 / 1024).toFixed(1)} MB, ${photos} concurrent uploads, worker concurrency ${concurrency}, no LLM provider, ${catalogue.entries.length} catalogue entries`,
  );
  console.log(`bare sharp normalize + thumbnail  ${bareMs.toFixed(0)} ms  (baseline)`);
  console.log(
    `throughput                        ${((photos * 1000) / wallMs).toFixed(2)} photos/s  (${(wallMs / photos / bareMs).toFixed(2)}× baseline per photo)`,
  );
  console.log(
    `upload → completed                p50 ${percentile(toCompleted, 50).toFixed(0)} ms  p95 ${percentile(toCompleted, 95).toFixed(0)} ms`,
  );
  console.log(
    `PDF render                        p50 ${percentile(pdfMs, 50).toFixed(1)} ms  p95 ${percentile(pdfMs, 95).toFixed(1)} ms`,
  );
  console.log(
    `peak RSS                          api ${apiPeak.toFixed(0)} MB (with the client in it), worker ${workerPeak.toFixed(0)} MB`,
  );

  await closePipelineBench(bench, worker, app);
}
