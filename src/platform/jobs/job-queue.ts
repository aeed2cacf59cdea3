// The JobQueue port: background jobs by name with retries, backoff, delay, progress and recurring
// schedules. Drivers: BullMQ on Redis (many workers in many processes) and in-process (embedded).
import type { DependencyCheck } from '../health/dependency-check.js';

export interface Backoff {
  /** fixed: `delayMs` between attempts; exponential: `delayMs * 2^(attempt-1)` (as BullMQ). */
  type: 'fixed' | 'exponential';
  delayMs: number;
}

export interface EnqueueOptions {
  /** Makes enqueue idempotent: a job with this id that still exists is not added again. No ':' and not an integer. */
  jobId?: string;
  /** Total tries, the first included; default 1. */
  attempts?: number;
  backoff?: Backoff;
  /** Wait this long before the job may start. */
  delayMs?: number;
}

export interface JobContext<P> {
  id: string;
  name: string;
  payload: P;
  /** Attempts finished before this one (0 on the first try). */
  attemptsMade: number;
  /** Reports progress (a percentage or any JSON object), readable through getJob. */
  progress(value: JobProgress): Promise<void>;
}

export type JobProgress = number | Record<string, unknown>;
export type JobHandler<P = unknown, R = unknown> = (job: JobContext<P>) => Promise<R>;

export interface ProcessOptions {
  /** Jobs of this name run at once in this process; default 1. */
  concurrency?: number;
}

export interface JobWorker {
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

export type JobStatus = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export interface JobInfo {
  id: string;
  name: string;
  status: JobStatus;
  progress: JobProgress;
  /** Attempts finished, failed or successful (as BullMQ 5 counts them). */
  attemptsMade: number;
  result?: unknown;
  failedReason?: string;
}

export interface RecurringJob {
  /** Stable id of the schedule; upserting the same id from every instance keeps one schedule. */
  id: string;
  everyMs: number;
  payload?: unknown;
}

export interface JobQueue {
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  process<P, R = unknown>(name: string, handler: JobHandler<P, R>, options?: ProcessOptions): JobWorker;
  /** Runs job `name` every `everyMs`, once per period across all instances. Idempotent per id. */
  schedule(name: string, job: RecurringJob): Promise<void>;
  unschedule(name: string, id: string): Promise<void>;
  /** A recently finished job is kept for a while (at least the last 1000 per name); undefined after. */
  getJob(name: string, id: string): Promise<JobInfo | undefined>;
}

export interface ManagedJobQueue extends JobQueue {
  readonly driver: 'in-process' | 'bullmq';
  readonly check: DependencyCheck;
  /** Closes workers (letting running jobs finish), schedules and connections. */
  close(): Promise<void>;
}

/** The same rule for both drivers, so code that works embedded works on BullMQ. */
export function assertJobId(jobId: string | undefined): void {
  if (jobId === undefined) return;
  if (jobId.includes(':')) throw new TypeError(`job id must not contain ':' (${jobId})`);
  if (`${parseInt(jobId, 10)}` === jobId) throw new TypeError(`job id must not be an integer (${jobId})`);
}

export function backoffDelay(backoff: Backoff | undefined, attemptsMade: number): number {
  if (backoff === undefined) return 0;
  if (backoff.type === 'fixed') return backoff.delayMs;
  return Math.round(2 ** (attemptsMade - 1) * backoff.delayMs);
}
