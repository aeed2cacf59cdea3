// The job queue contract on the in-process driver, plus backoff timing with fake timers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessJobQueue } from '../../../src/platform/jobs/in-process-job-queue.js';
import { backoffDelay } from '../../../src/platform/jobs/job-queue.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeJobQueueContract } from './job-queue-contract.js';

describeJobQueueContract('in-process', () =>
  Promise.resolve({
    make: () => Promise.resolve(new InProcessJobQueue({ logger: silentLogger() })),
    cleanup: () => Promise.resolve(),
  }),
);

describe('in-process job queue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when retrying with exponential backoff, then it waits delay × 2^(n-1) between attempts, as BullMQ', async () => {
    expect([1, 2, 3].map((n) => backoffDelay({ type: 'exponential', delayMs: 100 }, n))).toEqual([
      100, 200, 400,
    ]);
    vi.useFakeTimers();
    const queue = new InProcessJobQueue({ logger: silentLogger() });
    const attempts: number[] = [];
    queue.process('x', () => {
      attempts.push(Date.now());
      return Promise.reject(new Error('again'));
    });
    const start = Date.now();
    await queue.enqueue('x', null, { attempts: 3, backoff: { type: 'exponential', delayMs: 1000 } });
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts.length).toBe(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(attempts.length).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts.map((t) => t - start)).toEqual([0, 1000, 3000]);
    await queue.close();
  });
});
