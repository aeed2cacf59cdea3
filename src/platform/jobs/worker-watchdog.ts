// Watches job workers, because a BullMQ worker can stop taking jobs after a Redis blip without a
// word (taskforcesh/bullmq#648, #2964, #3185): its loop ends on an error it did not expect, or its
// blocking connection never serves it again while Redis itself answers. Every interval a worker
// whose loop stopped is started again, and one that sits idle for `staleAfterMs` while jobs of its
// name wait in a reachable Redis is replaced by a new one. Each intervention is logged.
import type { Logger } from '../telemetry/logger.js';

/** What the watchdog needs to know about, and do to, one worker. */
export interface WatchedWorker {
  readonly name: string;
  /** False while closing on purpose: a closing worker is left alone. */
  closing(): boolean;
  running(): boolean;
  /** Jobs running in this worker now. */
  active(): number;
  /** When this worker last started a job (or was created). */
  lastStartedAt(): number;
  /** Jobs of this name waiting to run; rejects when Redis does not answer. */
  waiting(): Promise<number>;
  /** Starts the stopped loop again. */
  restart(): Promise<void>;
  /** Closes this worker without waiting for it and puts a new one in its place. */
  replace(): Promise<void>;
}

export interface WorkerWatchdogOptions {
  workers: () => Iterable<WatchedWorker>;
  logger: Logger;
  intervalMs: number;
  staleAfterMs: number;
  now?: () => number;
}

export interface WorkerWatchdog {
  /** One round of checks (the timer runs them every interval); resolves when done. */
  checkNow(): Promise<void>;
  stop(): void;
}

async function checkOne(worker: WatchedWorker, options: WorkerWatchdogOptions, now: number) {
  if (worker.closing()) return;
  if (!worker.running()) {
    options.logger.warn({ queue: worker.name }, 'job worker restarted by the watchdog: its loop had stopped');
    await worker.restart();
    return;
  }
  if (worker.active() > 0 || now - worker.lastStartedAt() < options.staleAfterMs) return;
  // Rejects while Redis is down: nothing to decide until it answers again.
  const waiting = await worker.waiting();
  if (waiting === 0) return;
  options.logger.warn(
    { queue: worker.name, waiting, idleMs: now - worker.lastStartedAt() },
    'job worker restarted by the watchdog: jobs wait but it takes none; replacing it',
  );
  await worker.replace();
}

export function startWorkerWatchdog(options: WorkerWatchdogOptions): WorkerWatchdog {
  const now = options.now ?? Date.now;
  let checking: Promise<void> | undefined;
  const checkNow = () =>
    (checking ??= (async () => {
      for (const worker of [...options.workers()])
        await checkOne(worker, options, now()).catch((error: unknown) => {
          options.logger.debug({ err: error, queue: worker.name }, 'job worker watchdog check failed');
        });
    })().finally(() => (checking = undefined)));
  const timer = setInterval(() => void checkNow(), options.intervalMs);
  timer.unref();
  return { checkNow, stop: () => clearInterval(timer) };
}
