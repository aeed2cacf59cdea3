// `azimuth api --workers N|auto`: one Node process uses one core, an App Service instance has
// 2–8, so the primary forks N full API processes sharing PORT (node:cluster), replaces any that
// crashes, and on SIGTERM drains them all inside SHUTDOWN_TIMEOUT_MS.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Settings } from '../platform/config/settings-schema.js';
import type { Logger } from '../platform/telemetry/logger.js';

/**
 * Seed 004's worker table (2 vCPU → 2–3, 4 → 3–4, 8 → 4–6, "diminishing returns beyond"):
 * one process per vCPU, since a Node process is bound to one core, capped at 6.
 */
export const maxAutoWorkers = 6;

/** Parses `--workers`: a positive integer, or `auto` for one per vCPU up to {@link maxAutoWorkers}. */
export function workerCount(option: string, cpus: number = availableParallelism()): number {
  if (option === 'auto') return Math.max(1, Math.min(cpus, maxAutoWorkers));
  if (!/^\d+$/.test(option) || Number(option) < 1) {
    throw new Error(`--workers: must be a positive integer or auto (got "${option}")`);
  }
  return Number(option);
}

/**
 * Settings several API processes cannot share: PGlite's data directory belongs to one process,
 * and an in-memory cache, event log or rate limiter would differ per process.
 */
export function clusterProblems(
  settings: Pick<Settings, 'DATABASE_URL' | 'REDIS_URL' | 'REDIS_HOST'>,
): string[] {
  const problems: string[] = [];
  if (!settings.DATABASE_URL)
    problems.push('DATABASE_URL: --workers above 1 needs PostgreSQL; embedded PGlite belongs to one process');
  if (!settings.REDIS_URL && !settings.REDIS_HOST)
    problems.push(
      'REDIS_URL: --workers above 1 needs Redis, so cache, events and rate limits are shared between processes',
    );
  return problems;
}

/** Tells a forked worker how many siblings share the instance (see {@link instanceShare}). */
export const clusterSizeVariable = 'AZIMUTH_CLUSTER_SIZE';

/**
 * One process's share of a per-instance budget (seed 004's 5 sampled traces a second is the
 * instance's, not each of its processes').
 */
export function instanceShare(total: number, env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env[clusterSizeVariable] ?? '1');
  return Number.isInteger(size) && size > 1 ? total / size : total;
}

/** The metrics label that tells a worker's /metrics apart from its siblings' (empty outside a cluster). */
export function clusterWorkerLabel(): Record<string, string> {
  return cluster.isWorker ? { worker: String(cluster.worker?.id ?? 0) } : {};
}

/**
 * How long after SHUTDOWN_TIMEOUT_MS the primary waits before it kills a worker that still hangs:
 * a worker cuts its connections at the limit and exits within 5 s after (graceful-shutdown.ts).
 * The whole cluster is therefore gone by SHUTDOWN_TIMEOUT_MS + this, which must fit inside App
 * Service's WEBSITES_CONTAINER_STOP_TIME_LIMIT (the rule test in test/infrastructure/ checks it).
 */
export const primaryGraceMs = 6000;

export interface ClusterOptions {
  workers: number;
  logger: Logger;
  /** The drain limit each worker honours; the primary gives up a little after it. */
  shutdownTimeoutMs: number;
  /** Workers that exit before they listen, in a row, before the primary gives up (bad config). */
  maxStartFailures?: number;
}

/** Runs the primary: forks the workers and keeps their number until a signal stops them. */
export function runClusterPrimary(options: ClusterOptions): void {
  const { logger, workers, shutdownTimeoutMs, maxStartFailures = 3 } = options;
  let stopping = false;
  let startFailures = 0;
  const listening = new WeakSet<Worker>();

  const fork = () => {
    const worker = cluster.fork({ [clusterSizeVariable]: String(workers) });
    worker.once('listening', () => {
      listening.add(worker);
      startFailures = 0;
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const started = listening.has(worker);
    logger.error({ pid: worker.process.pid, code, signal, started }, 'api worker exited: replacing it');
    startFailures = started ? 0 : startFailures + 1;
    if (startFailures >= maxStartFailures) {
      logger.fatal({ startFailures }, 'api workers keep failing to start: giving up');
      logger.flush(() => process.exit(1));
      return;
    }
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'draining api workers');
    // Ctrl-C reaches the whole process group, workers included, and a second signal would make a
    // worker exit at once; so only SIGTERM (App Service stops PID 1 with it) is passed on.
    void drainWorkers(shutdownTimeoutMs, signal === 'SIGTERM').then((clean) => {
      logger.info({ clean }, 'api workers stopped');
      logger.flush(() => process.exit(clean ? 0 : 1));
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  logger.info({ workers, cpus: availableParallelism() }, `starting ${workers} api workers`);
  for (let i = 0; i < workers; i += 1) fork();
}

/** SIGTERM to every worker (each drains itself); resolves true when all exited 0 in time. */
function drainWorkers(shutdownTimeoutMs: number, forward: boolean): Promise<boolean> {
  const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  if (alive.length === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let clean = true;
    let left = alive.length;
    // Each worker drains itself within the limit; the primary then kills what still hangs.
    const timer = setTimeout(() => {
      for (const worker of alive) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, shutdownTimeoutMs + primaryGraceMs);
    for (const worker of alive) {
      worker.once('exit', (code) => {
        if (code !== 0) clean = false;
        left -= 1;
        if (left === 0) {
          clearTimeout(timer);
          resolve(clean);
        }
      });
      if (forward) worker.process.kill('SIGTERM');
    }
  });
}
