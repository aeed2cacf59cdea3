// The job worker watchdog: a worker whose loop stopped is started again, one that sits idle while
// jobs of its name wait is replaced, and each intervention is logged; a worker closing on purpose,
// a busy one, and one whose Redis does not answer are left alone.
import { afterEach, describe, expect, it } from 'vitest';
import {
  startWorkerWatchdog,
  type WatchedWorker,
  type WorkerWatchdog,
} from '../../../src/platform/jobs/worker-watchdog.js';
import { createCapturingLogger } from '../../helpers/fakes.js';

function fakeWorker(overrides: Partial<Record<keyof WatchedWorker, unknown>> = {}) {
  const calls = { restart: 0, replace: 0 };
  const worker: WatchedWorker = {
    name: 'render',
    closing: () => false,
    running: () => true,
    active: () => 0,
    lastStartedAt: () => 0,
    waiting: () => Promise.resolve(0),
    restart: async () => {
      calls.restart += 1;
    },
    replace: async () => {
      calls.replace += 1;
    },
    ...(overrides as Partial<WatchedWorker>),
  };
  return { worker, calls };
}

describe('job worker watchdog', () => {
  let watchdog: WorkerWatchdog | undefined;
  afterEach(() => watchdog?.stop());

  const watch = (worker: WatchedWorker, now = 100_000) => {
    const { logger, lines } = createCapturingLogger();
    watchdog = startWorkerWatchdog({
      workers: () => [worker],
      logger,
      intervalMs: 60_000,
      staleAfterMs: 30_000,
      now: () => now,
    });
    return { lines, checkNow: () => (watchdog as WorkerWatchdog).checkNow() };
  };

  it('when a worker loop has stopped, then it is started again and the restart is logged', async () => {
    const { worker, calls } = fakeWorker({ running: () => false });
    const { lines, checkNow } = watch(worker);
    await checkNow();
    expect(calls).toEqual({ restart: 1, replace: 0 });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', queue: 'render', msg: expect.stringContaining('restarted') }),
    );
  });

  it('when jobs wait and the worker has taken none for too long, then it is replaced', async () => {
    const { worker, calls } = fakeWorker({ waiting: () => Promise.resolve(3) });
    const { lines, checkNow } = watch(worker);
    await checkNow();
    expect(calls).toEqual({ restart: 0, replace: 1 });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', waiting: 3 }));
  });

  it.each<[string, Partial<Record<keyof WatchedWorker, unknown>>]>([
    ['it is closing on purpose', { running: () => false, closing: () => true }],
    ['it is busy', { active: () => 1, waiting: () => Promise.resolve(3) }],
    ['it took a job recently', { lastStartedAt: () => 90_000, waiting: () => Promise.resolve(3) }],
    ['no job waits', { waiting: () => Promise.resolve(0) }],
    ['Redis does not answer', { waiting: () => Promise.reject(new Error('Connection is closed.')) }],
  ])('when %s, then it is left alone', async (_case, overrides) => {
    const { worker, calls } = fakeWorker(overrides);
    const { lines, checkNow } = watch(worker);
    await checkNow();
    expect(calls).toEqual({ restart: 0, replace: 0 });
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});
