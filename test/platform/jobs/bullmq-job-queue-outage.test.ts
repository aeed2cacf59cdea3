// BullMQ through a Redis outage, on a redis-server of this file's own (killed and started again):
// an enqueue while Redis is down fails at once as DependencyUnavailableError, never hangs, whether
// the queue was used before or is new; and the same worker consumes a job enqueued after it returns.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRedis, type OwnRedis } from '../../../scripts/chaos/own-redis.js';
import { BullmqJobQueue } from '../../../src/platform/jobs/bullmq-job-queue.js';
import { ioredisOptions, type RedisOptions } from '../../../src/platform/redis/redis-options.js';
import { isDependencyUnavailableError } from '../../../src/platform/resilience/dependency-error.js';
import { redisServerInstalled } from '../../helpers/one-database-redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';

describe.runIf(redisServerInstalled())('bullmq job queue through a Redis outage', () => {
  let redis: OwnRedis;
  let queue: BullmqJobQueue;
  const done: string[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    const options: RedisOptions = {
      url: redis.url,
      port: 0,
      tls: false,
      connectTimeoutMs: 1000,
      commandTimeoutMs: 1000,
      maxReconnectDelayMs: 200,
      databases: { cache: 0, events: 0, jobs: 0, rateLimit: 0 },
    };
    const healthClient = new Redis(ioredisOptions(options, 'jobs', 'command'));
    healthClient.on('error', () => undefined); // expected while Redis is down
    queue = new BullmqJobQueue(
      { prefix: 'outage', enqueueTimeoutMs: 2000 },
      {
        logger: silentLogger(),
        queueConnection: ioredisOptions(options, 'jobs', 'command'),
        workerConnection: ioredisOptions(options, 'jobs', 'bullmq'),
        healthClient,
      },
    );
    queue.process<{ n: number }>('count', async (job) => {
      done.push(String(job.payload.n));
    });
  });

  afterAll(async () => {
    await queue.close();
    await redis.close();
  });

  it('when Redis is down, then enqueue fails as DependencyUnavailableError; when it returns, the worker consumes again', async () => {
    await queue.enqueue('count', { n: 1 });
    await expect.poll(() => done).toEqual(['1']);

    await redis.kill();
    for (const name of ['count', 'never-used-before']) {
      const error = await queue.enqueue(name, { n: 2 }).catch((caught: unknown) => caught);
      expect(isDependencyUnavailableError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ status: 503, dependency: 'redis' });
    }

    await redis.start();
    await expect
      .poll(() => queue.enqueue('count', { n: 3 }).then(() => true), { timeout: 20_000 })
      .toBe(true);
    await expect.poll(() => done, { timeout: 30_000 }).toEqual(['1', '3']);
  }, 60_000);
});
