// Enqueue-to-start latency, p50/p99: BullMQ on Redis against the in-process driver measured in the
// same run. One job at a time, so this is latency, not throughput. Args: --jobs=N (default 300).
import { Redis } from 'ioredis';
import { benchRedisOptions, redisReachable } from './support/redis.js';
import { BullmqJobQueue } from '../src/platform/jobs/bullmq-job-queue.js';
import { InProcessJobQueue } from '../src/platform/jobs/in-process-job-queue.js';
import type { ManagedJobQueue } from '../src/platform/jobs/job-queue.js';
import { ioredisOptions } from '../src/platform/redis/redis-options.js';
import { createLogger } from '../src/platform/telemetry/logger.js';
import { epochMs, percentile } from './support/percentiles.js';

async function measure(queue: ManagedJobQueue, count: number): Promise<number[]> {
  const latencies: number[] = [];
  let started: (() => void) | undefined;
  const worker = queue.process<{ t: number }>('bench', (job) => {
    latencies.push(epochMs() - job.payload.t);
    started?.();
    return Promise.resolve();
  });
  for (let i = 0; i < count; i += 1) {
    const next = new Promise<void>((resolve) => (started = resolve));
    await queue.enqueue('bench', { t: epochMs() });
    await next;
  }
  await worker.close();
  return latencies;
}

export async function run(args: string[]): Promise<void> {
  const count = Number(args.find((a) => a.startsWith('--jobs='))?.split('=')[1] ?? 300);
  const logger = createLogger({ level: 'silent' });
  const line = (label: string, xs: number[], base?: number[]) =>
    console.log(
      `${label.padEnd(12)} p50 ${percentile(xs, 50).toFixed(3)} ms  p99 ${percentile(xs, 99).toFixed(3)} ms` +
        (base === undefined
          ? '  (baseline)'
          : `  ${(percentile(xs, 50) / percentile(base, 50)).toFixed(0)}× p50`),
    );
  const inProcess = new InProcessJobQueue({ logger });
  const local = await measure(inProcess, count);
  await inProcess.close();
  line('in-process', local);

  if (!(await redisReachable())) {
    console.log('bullmq       skipped: Redis is not reachable at 127.0.0.1:6379');
    return;
  }
  const options = benchRedisOptions;
  const prefix = `bench-${process.pid}`;
  const bullmq = new BullmqJobQueue(
    { prefix },
    {
      logger,
      queueConnection: ioredisOptions(options, 'jobs', 'command'),
      workerConnection: ioredisOptions(options, 'jobs', 'bullmq'),
      healthClient: new Redis(ioredisOptions(options, 'jobs', 'command')),
    },
  );
  await measure(bullmq, 20); // warm-up: connections, scripts
  const remote = await measure(bullmq, count);
  await bullmq.close();
  line('bullmq', remote, local);
  const admin = new Redis({ port: 6379, db: 2 });
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}
