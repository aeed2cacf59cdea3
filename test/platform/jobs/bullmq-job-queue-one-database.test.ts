// The job queue contract on BullMQ over a one-database Redis (Azure Managed Redis): keys under BullMQ's prefix.
import { afterAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../../src/platform/jobs/create-job-queue.js';
import { redisKeyPrefixes } from '../../../src/platform/redis/redis-key-prefixes.js';
import type { RedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { oneDatabaseRedis, redisServerInstalled } from '../../helpers/one-database-redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeJobQueueContract } from './job-queue-contract.js';

describe.runIf(redisServerInstalled())('bullmq job queue on one database', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  describeJobQueueContract('bullmq', async () => {
    const opened: RedisConnections[] = [];
    // As the composition root makes it: each instance with its own connections.
    const make = async () => {
      const redis = await server.connections();
      opened.push(redis);
      return createJobQueue({ logger: silentLogger(), redis });
    };
    return {
      make,
      makePeer: make,
      async cleanup() {
        for (const redis of opened) await redis.close();
      },
    };
  });

  it('then every key it wrote is under the jobs prefix', () => {
    expect(server.outside(`${redisKeyPrefixes.jobs}:`)).toEqual({ touched: true, outside: [] });
  });
});
