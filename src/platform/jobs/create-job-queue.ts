// Picks the job queue driver: BullMQ when Redis is configured (jobs shared by every process), in-process otherwise.
import type { Registry } from 'prom-client';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { Logger } from '../telemetry/logger.js';
import type { BullmqJobQueueOptions } from './bullmq-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import type { ManagedJobQueue } from './job-queue.js';

export interface CreateJobQueueDeps {
  logger: Logger;
  metrics?: Registry;
  redis?: RedisConnections;
}

export async function createJobQueue(
  deps: CreateJobQueueDeps,
  options: BullmqJobQueueOptions = {},
): Promise<ManagedJobQueue> {
  if (deps.redis === undefined) return new InProcessJobQueue(deps);
  // Loaded only with Redis: BullMQ is a large import an embedded start doesn't need.
  const { BullmqJobQueue } = await import('./bullmq-job-queue.js');
  return new BullmqJobQueue(options, {
    ...deps,
    queueConnection: deps.redis.options('jobs', 'command'),
    workerConnection: deps.redis.options('jobs', 'bullmq'),
    healthClient: deps.redis.connect('jobs', 'command'),
  });
}
