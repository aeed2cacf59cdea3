// Jobs on BullMQ (Redis: its own logical database, or database 0 under its key prefix): any instance enqueues, any worker process runs
// them. A worker that dies mid-job loses its lock; BullMQ's stalled-job check moves the job back
// to waiting and another worker retries it. Schedules are BullMQ job schedulers, stored in Redis,
// so every instance can upsert the same one and each period produces exactly one job. A watchdog
// (worker-watchdog.ts) restarts workers that stop taking jobs after a Redis blip, and an enqueue
// while Redis is down fails at once as DependencyUnavailableError (503 + Retry-After), never hangs.
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { DependencyCheck } from '../health/dependency-check.js';
import { closeRedis } from '../redis/redis-connections.js';
import { redisCheck } from '../redis/redis-health.js';
import { redisKeyPrefixes } from '../redis/redis-key-prefixes.js';
import { translatingRedisOutages } from '../redis/redis-outage.js';
import {
  DEFAULT_OUTAGE_RETRY_AFTER_SECONDS,
  DependencyUnavailableError,
} from '../resilience/dependency-error.js';
import type { Logger } from '../telemetry/logger.js';
import {
  assertJobId,
  type EnqueueOptions,
  type JobHandler,
  type JobInfo,
  type JobProgress,
  type JobStatus,
  type JobWorker,
  type ManagedJobQueue,
  type ProcessOptions,
  type RecurringJob,
} from './job-queue.js';
import { jobMetrics, type JobMetrics } from './job-metrics.js';
import { startWorkerWatchdog, type WatchedWorker, type WorkerWatchdog } from './worker-watchdog.js';

export interface BullmqJobQueueOptions {
  /** Key prefix for every queue; default `azimuth-jobs` (redis-key-prefixes.ts). */
  prefix?: string;
  /** How long a worker's lock on a job lasts without renewal; default BullMQ's 30 s. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs; default BullMQ's 30 s. */
  stalledIntervalMs?: number;
  /** Finished jobs kept for getJob and jobId idempotency; default 1000 per name. */
  keepFinished?: number;
  /** Longest an enqueue waits for Redis before failing as an outage; default 5 s. */
  enqueueTimeoutMs?: number;
  /** How often the watchdog looks at the workers; default 5 s. */
  watchdogIntervalMs?: number;
  /** Idle this long while jobs wait, a worker is replaced; default 60 s. */
  watchdogStaleAfterMs?: number;
}

/** What a worker's jobs have been doing, for the watchdog. */
interface Activity {
  active: number;
  lastStartedAt: number;
}

/** One `process` call's worker, which the watchdog may replace with a new one made by `make`. */
interface WorkerSlot {
  name: string;
  worker: Worker;
  activity: Activity;
  make: () => Worker;
  closed: boolean;
}

export interface BullmqJobQueueDeps {
  logger: Logger;
  metrics?: Registry;
  /** ioredis options for producers (fail fast: `command` mode on the jobs database). */
  queueConnection: ConnectionOptions;
  /** ioredis options for workers (`bullmq` mode: maxRetriesPerRequest null). */
  workerConnection: ConnectionOptions;
  /** A `command` connection for /health; closed by close(). */
  healthClient: Redis;
}

const STATUS: Record<string, JobStatus> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

export class BullmqJobQueue implements ManagedJobQueue {
  readonly driver = 'bullmq' as const;
  readonly check: DependencyCheck;
  readonly #options: BullmqJobQueueOptions;
  readonly #deps: BullmqJobQueueDeps;
  readonly #queues = new Map<string, Queue>();
  readonly #workers = new Set<WorkerSlot>();
  readonly #metrics: JobMetrics;
  #watchdog: WorkerWatchdog | undefined;

  constructor(options: BullmqJobQueueOptions, deps: BullmqJobQueueDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#metrics = jobMetrics(deps.metrics, 'bullmq');
    this.check = redisCheck({
      name: 'jobs',
      driver: 'bullmq',
      client: deps.healthClient,
      required: false,
      whenDown: 'unhealthy',
    });
  }

  get #prefix(): string {
    return this.#options.prefix ?? redisKeyPrefixes.jobs;
  }

  #queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      const keep = this.#options.keepFinished ?? 1000;
      queue = new Queue(name, {
        connection: this.#deps.queueConnection,
        prefix: this.#prefix,
        defaultJobOptions: { removeOnComplete: { count: keep }, removeOnFail: { count: keep } },
      });
      queue.on('error', (error) => this.#deps.logger.warn({ err: error, queue: name }, 'job queue error'));
      this.#queues.set(name, queue);
    }
    return queue;
  }

  async enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    assertJobId(options.jobId);
    const adding = translatingRedisOutages(() =>
      this.#queue(name).add(name, payload ?? null, {
        ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
        attempts: options.attempts ?? 1,
        ...(options.backoff === undefined
          ? {}
          : { backoff: { type: options.backoff.type, delay: options.backoff.delayMs } }),
        ...(options.delayMs === undefined ? {} : { delay: options.delayMs }),
      }),
    );
    const job = await withinDeadline(adding, this.#options.enqueueTimeoutMs ?? 5000);
    if (job.id === undefined) throw new Error(`BullMQ returned no id for a ${name} job`);
    return job.id;
  }

  process<P, R = unknown>(name: string, handler: JobHandler<P, R>, options: ProcessOptions = {}): JobWorker {
    const activity: Activity = { active: 0, lastStartedAt: Date.now() };
    const make = () => {
      activity.lastStartedAt = Date.now();
      return this.#newWorker(name, activity, handler, options);
    };
    const slot: WorkerSlot = { name, worker: make(), activity, make, closed: false };
    this.#workers.add(slot);
    this.#watchdog ??= startWorkerWatchdog({
      workers: () => [...this.#workers].map((each) => this.#watched(each)),
      logger: this.#deps.logger,
      intervalMs: this.#options.watchdogIntervalMs ?? 5000,
      staleAfterMs: this.#options.watchdogStaleAfterMs ?? 60_000,
    });
    return {
      close: async () => {
        slot.closed = true;
        this.#workers.delete(slot);
        await closeWorker(slot.worker);
      },
    };
  }

  #newWorker<P, R>(
    name: string,
    activity: Activity,
    handler: JobHandler<P, R>,
    options: ProcessOptions,
  ): Worker<P, R> {
    const worker = new Worker<P, R>(
      name,
      async (job: Job<P, R>) => {
        const started = performance.now();
        activity.active += 1;
        activity.lastStartedAt = Date.now();
        try {
          const result = await handler({
            id: job.id ?? '',
            name: job.name,
            payload: job.data,
            attemptsMade: job.attemptsMade,
            progress: (value: JobProgress) => job.updateProgress(value),
          });
          this.#metrics.observe(name, 'completed', (performance.now() - started) / 1000);
          return result;
        } catch (error) {
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          this.#metrics.observe(name, last ? 'failed' : 'retried', (performance.now() - started) / 1000);
          if (last) this.#deps.logger.warn({ err: error, job: name, jobId: job.id }, 'job failed');
          throw error;
        } finally {
          activity.active -= 1;
        }
      },
      {
        connection: this.#deps.workerConnection,
        prefix: this.#prefix,
        concurrency: options.concurrency ?? 1,
        ...(this.#options.lockDurationMs === undefined ? {} : { lockDuration: this.#options.lockDurationMs }),
        ...(this.#options.stalledIntervalMs === undefined
          ? {}
          : { stalledInterval: this.#options.stalledIntervalMs }),
      },
    );
    worker.on('error', (error) => this.#deps.logger.warn({ err: error, queue: name }, 'job worker error'));
    return worker;
  }

  /** The watchdog's view of a slot: a stopped loop is run again, a stuck worker replaced by a new one. */
  #watched(slot: WorkerSlot): WatchedWorker {
    return {
      name: slot.name,
      closing: () => slot.closed || slot.worker.closing !== undefined,
      running: () => slot.worker.isRunning(),
      active: () => slot.activity.active,
      lastStartedAt: () => slot.activity.lastStartedAt,
      waiting: () => this.#queue(slot.name).getWaitingCount(),
      restart: async () => {
        slot.worker.run().catch((error: unknown) => {
          this.#deps.logger.warn({ err: error, queue: slot.name }, 'job worker stopped again');
        });
      },
      replace: async () => {
        const stuck = slot.worker;
        slot.worker = slot.make();
        await closeWorker(stuck, 0);
      },
    };
  }

  async schedule(name: string, job: RecurringJob): Promise<void> {
    await this.#queue(name).upsertJobScheduler(
      job.id,
      { every: job.everyMs },
      { name, data: job.payload ?? null },
    );
  }

  async unschedule(name: string, id: string): Promise<void> {
    await this.#queue(name).removeJobScheduler(id);
  }

  async getJob(name: string, id: string): Promise<JobInfo | undefined> {
    const job = await this.#queue(name).getJob(id);
    if (job === undefined) return undefined;
    const state = await job.getState();
    return {
      id,
      name: job.name,
      status: STATUS[state] ?? 'waiting',
      progress: job.progress as JobProgress,
      attemptsMade: job.attemptsMade,
      ...(job.returnvalue === undefined || job.returnvalue === null
        ? {}
        : { result: job.returnvalue as unknown }),
      // Typed as a string, but absent until the job has failed once.
      ...((job.failedReason as string | undefined) ? { failedReason: job.failedReason } : {}),
    };
  }

  async close(): Promise<void> {
    this.#watchdog?.stop();
    for (const slot of this.#workers) slot.closed = true;
    await Promise.all([...this.#workers].map((slot) => closeWorker(slot.worker)));
    this.#workers.clear();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
    await closeRedis(this.#deps.healthClient);
  }
}

/**
 * Lets running jobs finish, but not forever: with Redis unreachable BullMQ's close never
 * resolves, and a stopping process must not hang on it. A job cut off here is not lost: its
 * lock expires and another worker picks it up (stalled-job recovery).
 */
async function closeWorker(worker: Worker, graceMs = 20_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    worker.close().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!closed) await worker.disconnect().catch(() => undefined);
}

/** Fails as an outage when Redis does not take the job in time (a queue still connecting waits). */
async function withinDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new DependencyUnavailableError({
          dependency: 'redis',
          retryAfterSeconds: DEFAULT_OUTAGE_RETRY_AFTER_SECONDS,
        }),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
