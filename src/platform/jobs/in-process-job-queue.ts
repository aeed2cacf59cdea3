// Jobs in this process (embedded mode): the same retry, backoff, delay, progress and id rules as
// the BullMQ driver, with timers instead of Redis. Jobs do not survive a restart.
import type { Registry } from 'prom-client';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import {
  assertJobId,
  backoffDelay,
  type EnqueueOptions,
  type JobHandler,
  type JobInfo,
  type JobProgress,
  type JobWorker,
  type ManagedJobQueue,
  type ProcessOptions,
  type RecurringJob,
} from './job-queue.js';
import { jobMetrics, type JobMetrics } from './job-metrics.js';

const KEEP_FINISHED = 1000;

interface JobRecord {
  info: JobInfo;
  payload: unknown;
  options: EnqueueOptions;
  timer?: NodeJS.Timeout;
}

interface Lane {
  waiting: JobRecord[];
  handler?: JobHandler;
  concurrency: number;
  active: Set<Promise<void>>;
  finished: string[];
}

export interface InProcessJobQueueDeps {
  logger: Logger;
  metrics?: Registry;
}

export class InProcessJobQueue implements ManagedJobQueue {
  readonly driver = 'in-process' as const;
  readonly check: DependencyCheck;
  readonly #jobs = new Map<string, JobRecord>();
  readonly #lanes = new Map<string, Lane>();
  readonly #schedules = new Map<string, NodeJS.Timeout>();
  readonly #logger: Logger;
  readonly #metrics: JobMetrics;
  #nextId = 1;
  #closed = false;

  constructor(deps: InProcessJobQueueDeps) {
    this.#logger = deps.logger;
    this.#metrics = jobMetrics(deps.metrics, 'in-process');
    this.check = {
      name: 'jobs',
      driver: 'in-process',
      required: false,
      check: () => {
        let waiting = 0;
        let active = 0;
        for (const lane of this.#lanes.values()) {
          waiting += lane.waiting.length;
          active += lane.active.size;
        }
        return Promise.resolve({ status: 'healthy', details: { waiting, active } });
      },
    };
  }

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      lane = { waiting: [], concurrency: 1, active: new Set(), finished: [] };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  #key(name: string, id: string): string {
    return `${name}\u0000${id}`;
  }

  enqueue(name: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    // A bad job id rejects, as it does on BullMQ, rather than throwing synchronously.
    return new Promise((resolve) => resolve(this.#add(name, payload, options)));
  }

  #add(name: string, payload: unknown, options: EnqueueOptions): string {
    assertJobId(options.jobId);
    if (this.#closed) throw new Error('job queue is closed');
    const id = options.jobId ?? String(this.#nextId++);
    const key = this.#key(name, id);
    if (this.#jobs.has(key)) return id;
    // Round-trip through JSON so handlers see what BullMQ would give them.
    const record: JobRecord = {
      info: { id, name, status: 'waiting', progress: 0, attemptsMade: 0 },
      payload: JSON.parse(JSON.stringify(payload ?? null)) as unknown,
      options,
    };
    this.#jobs.set(key, record);
    this.#wait(record, options.delayMs ?? 0);
    return id;
  }

  #wait(record: JobRecord, delayMs: number): void {
    if (delayMs > 0) {
      record.info.status = 'delayed';
      record.timer = setTimeout(() => {
        record.timer = undefined;
        this.#wait(record, 0);
      }, delayMs);
      return;
    }
    record.info.status = 'waiting';
    this.#lane(record.info.name).waiting.push(record);
    this.#pump(record.info.name);
  }

  #pump(name: string): void {
    const lane = this.#lane(name);
    const handler = lane.handler;
    if (handler === undefined || this.#closed) return;
    while (lane.active.size < lane.concurrency && lane.waiting.length > 0) {
      const record = lane.waiting.shift();
      if (record === undefined) break;
      const run: Promise<void> = this.#run(record, handler).finally(() => {
        lane.active.delete(run);
        this.#pump(name);
      });
      lane.active.add(run);
    }
  }

  async #run(record: JobRecord, handler: JobHandler): Promise<void> {
    const { info } = record;
    info.status = 'active';
    const started = performance.now();
    try {
      info.result = await handler({
        id: info.id,
        name: info.name,
        payload: record.payload,
        attemptsMade: info.attemptsMade,
        progress: (value: JobProgress) => {
          info.progress = value;
          return Promise.resolve();
        },
      });
      info.attemptsMade += 1;
      info.status = 'completed';
      this.#metrics.observe(info.name, 'completed', (performance.now() - started) / 1000);
      this.#finished(record);
    } catch (error) {
      info.attemptsMade += 1;
      info.failedReason = error instanceof Error ? error.message : String(error);
      const seconds = (performance.now() - started) / 1000;
      if (info.attemptsMade < (record.options.attempts ?? 1) && !this.#closed) {
        this.#metrics.observe(info.name, 'retried', seconds);
        this.#wait(record, backoffDelay(record.options.backoff, info.attemptsMade));
      } else {
        info.status = 'failed';
        this.#metrics.observe(info.name, 'failed', seconds);
        this.#logger.warn({ err: error, job: info.name, jobId: info.id }, 'job failed');
        this.#finished(record);
      }
    }
  }

  /** Keeps the last finished jobs per name (for getJob and jobId idempotency), like BullMQ's removeOn*. */
  #finished(record: JobRecord): void {
    const lane = this.#lane(record.info.name);
    lane.finished.push(record.info.id);
    if (lane.finished.length > KEEP_FINISHED) {
      const dropped = lane.finished.shift();
      if (dropped !== undefined) this.#jobs.delete(this.#key(record.info.name, dropped));
    }
  }

  process<P, R = unknown>(name: string, handler: JobHandler<P, R>, options: ProcessOptions = {}): JobWorker {
    const lane = this.#lane(name);
    if (lane.handler !== undefined)
      throw new Error(`jobs named ${name} already have a handler in this process`);
    lane.handler = handler as JobHandler;
    lane.concurrency = options.concurrency ?? 1;
    this.#pump(name);
    return {
      close: async () => {
        lane.handler = undefined;
        await Promise.all(lane.active);
      },
    };
  }

  schedule(name: string, job: RecurringJob): Promise<void> {
    const key = this.#key(name, job.id);
    clearInterval(this.#schedules.get(key));
    let run = 0;
    const timer = setInterval(() => {
      run += 1;
      void this.enqueue(name, job.payload ?? null, { jobId: `repeat-${job.id}-${run}` });
    }, job.everyMs);
    timer.unref();
    this.#schedules.set(key, timer);
    return Promise.resolve();
  }

  unschedule(name: string, id: string): Promise<void> {
    const key = this.#key(name, id);
    clearInterval(this.#schedules.get(key));
    this.#schedules.delete(key);
    return Promise.resolve();
  }

  getJob(name: string, id: string): Promise<JobInfo | undefined> {
    const record = this.#jobs.get(this.#key(name, id));
    return Promise.resolve(record === undefined ? undefined : { ...record.info });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#schedules.values()) clearInterval(timer);
    this.#schedules.clear();
    for (const record of this.#jobs.values()) clearTimeout(record.timer);
    await Promise.all([...this.#lanes.values()].flatMap((lane) => [...lane.active]));
  }
}
