// Picks the job queue driver: BullMQ when Redis is configured (jobs shared by every process), in-process otherwise.
import type { Registry } from 'prom-client';
import type { Settings } from '../config/settings-schema.js';
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

/** JOBS_LOCK_DURATION_MS and JOBS_STALLED_INTERVAL_MS: how soon a dead worker's job is taken over. */
export function jobQueueOptionsFromSettings(settings: Settings): BullmqJobQueueOptions {
  return {
    lockDurationMs: settings.JOBS_LOCK_DURATION_MS,
    stalledIntervalMs: settings.JOBS_STALLED_INTERVAL_MS,
  };
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
