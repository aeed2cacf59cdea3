// The job queue contract on BullMQ (real Redis, a unique prefix per file), and recovery of a job
// whose worker process is killed mid-run.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqJobQueue } from '../../../src/platform/jobs/bullmq-job-queue.js';
import { ioredisOptions } from '../../../src/platform/redis/redis-options.js';
import { available, services } from '../../helpers/services.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeJobQueueContract } from './job-queue-contract.js';

const redisUp = await available('redis');
const redis = testRedisOptions();

export function makeBullmqQueue(
  prefix: string,
  extra: { lockDurationMs?: number; stalledIntervalMs?: number } = {},
) {
  return new BullmqJobQueue(
    { prefix, ...extra },
    {
      logger: silentLogger(),
      queueConnection: ioredisOptions(redis, 'jobs', 'command'),
      workerConnection: ioredisOptions(redis, 'jobs', 'bullmq'),
      healthClient: new Redis(ioredisOptions(redis, 'jobs', 'command')),
    },
  );
}

async function dropPrefix(prefix: string): Promise<void> {
  const admin = new Redis({ host: services.redis.host, port: services.redis.port, db: redis.databases.jobs });
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}

describe.runIf(redisUp)('bullmq job queue', () => {
  const prefix = uniquePrefix('jobs').replace(/:/g, '-').replace(/-$/, '');
  afterAll(() => dropPrefix(prefix));

  describeJobQueueContract('bullmq', () =>
    Promise.resolve({
      make: () => Promise.resolve(makeBullmqQueue(prefix)),
      makePeer: () => Promise.resolve(makeBullmqQueue(prefix)),
      cleanup: () => Promise.resolve(),
    }),
  );

  it('when the worker process is killed mid-job, then another worker picks the job up and finishes it', async () => {
    const stalledPrefix = `${prefix}-stalled`;
    const timing = { lockDurationMs: 1000, stalledIntervalMs: 500 };
    const queue = makeBullmqQueue(stalledPrefix, timing);
    let child: ChildProcess | undefined;
    try {
      const id = await queue.enqueue('render', { page: 1 }, { attempts: 2 });
      const fixture = fileURLToPath(new URL('./fixtures/stalling-worker.ts', import.meta.url));
      child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, JOBS_PREFIX: stalledPrefix, REDIS_PORT: String(redis.port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      // Wait for the child to say it is inside the handler, then kill it without a chance to clean up.
      let output = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => (output += chunk));
      await expect.poll(() => output, { timeout: 20_000, interval: 50 }).toContain(`started ${id}`);
      expect((await queue.getJob('render', id))?.status).toBe('active');
      child.kill('SIGKILL');
      await once(child, 'exit');

      const finishedBy: string[] = [];
      const worker = queue.process<{ page: number }>('render', (job) => {
        finishedBy.push(`${job.id}:${job.payload.page}`);
        return Promise.resolve('rendered');
      });
      await expect
        .poll(async () => (await queue.getJob('render', id))?.status, { timeout: 20_000, interval: 100 })
        .toBe('completed');
      expect(finishedBy).toEqual([`${id}:1`]);
      expect((await queue.getJob('render', id))?.result).toBe('rendered');
      await worker.close();
    } finally {
      if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
      await queue.close();
      await dropPrefix(stalledPrefix);
    }
  });
});
