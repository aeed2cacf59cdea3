// Contract for the JobQueue port: both drivers run, retry, delay, report progress and schedule alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue, ManagedJobQueue } from '../../../src/platform/jobs/job-queue.js';

export interface JobQueueFixture {
  make(): Promise<ManagedJobQueue>;
  /** Another instance on the same backend, when the driver is shared between processes. */
  makePeer?: () => Promise<ManagedJobQueue>;
  cleanup(): Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

let counter = 0;
const unique = (name: string) => `${name}-${(counter += 1)}`;

async function finished(queue: JobQueue, name: string, id: string) {
  await expect
    .poll(async () => (await queue.getJob(name, id))?.status, { timeout: 15_000, interval: 20 })
    .toMatch(/completed|failed/);
  return queue.getJob(name, id);
}

export function describeJobQueueContract(driver: string, setup: () => Promise<JobQueueFixture>): void {
  describe(`job queue contract (${driver})`, () => {
    let fixture: JobQueueFixture;
    let queue: ManagedJobQueue;
    beforeAll(async () => {
      fixture = await setup();
      queue = await fixture.make();
    });
    afterAll(async () => {
      await queue.close();
      await fixture.cleanup();
    });

    it('when a job is enqueued, then its handler gets the payload and getJob shows the result', async () => {
      const name = unique('echo');
      const worker = queue.process<{ x: number }>(name, (job) =>
        Promise.resolve({ doubled: job.payload.x * 2 }),
      );
      const id = await queue.enqueue(name, { x: 21 });
      expect(await finished(queue, name, id)).toMatchObject({
        id,
        name,
        status: 'completed',
        result: { doubled: 42 },
        attemptsMade: 1,
      });
      await worker.close();
      expect(queue.driver).toBe(driver);
      expect((await queue.check.check(AbortSignal.timeout(2000))).status).toBe('healthy');
    });

    it('when enqueued twice with one jobId, then it runs once', async () => {
      const name = unique('idempotent');
      const payloads: number[] = [];
      const worker = queue.process<number>(name, (job) => {
        payloads.push(job.payload);
        return Promise.resolve();
      });
      const a = await queue.enqueue(name, 1, { jobId: 'order-7' });
      const b = await queue.enqueue(name, 2, { jobId: 'order-7' });
      expect(a).toBe('order-7');
      expect(b).toBe('order-7');
      await finished(queue, name, a);
      await queue.enqueue(name, 3, { jobId: 'order-7' });
      const marker = await queue.enqueue(name, 4);
      await finished(queue, name, marker);
      expect(payloads).toEqual([1, 4]);
      await worker.close();
      await expect(queue.enqueue(name, 1, { jobId: 'a:b' })).rejects.toThrow(/:/);
      await expect(queue.enqueue(name, 1, { jobId: '42' })).rejects.toThrow(/integer/);
    });

    it('when a handler fails, then it is retried with backoff until it succeeds', async () => {
      const name = unique('flaky');
      const seen: number[] = [];
      const worker = queue.process(name, (job) => {
        seen.push(job.attemptsMade);
        if (job.attemptsMade < 2) return Promise.reject(new Error(`try ${job.attemptsMade}`));
        return Promise.resolve('ok');
      });
      const id = await queue.enqueue(name, null, {
        attempts: 3,
        backoff: { type: 'exponential', delayMs: 20 },
      });
      expect(await finished(queue, name, id)).toMatchObject({
        status: 'completed',
        result: 'ok',
        attemptsMade: 3,
      });
      expect(seen).toEqual([0, 1, 2]);
      await worker.close();
    });

    it('when every attempt fails, then the job is failed with the last reason', async () => {
      const name = unique('doomed');
      let runs = 0;
      const worker = queue.process(name, () => {
        runs += 1;
        return Promise.reject(new Error(`nope ${runs}`));
      });
      const id = await queue.enqueue(name, null, { attempts: 2, backoff: { type: 'fixed', delayMs: 10 } });
      expect(await finished(queue, name, id)).toMatchObject({
        status: 'failed',
        failedReason: 'nope 2',
        attemptsMade: 2,
      });
      expect(runs).toBe(2);
      await worker.close();
    });

    it('when a handler reports progress, then getJob shows it while the job runs', async () => {
      const name = unique('progress');
      const release = deferred();
      const worker = queue.process(name, async (job) => {
        await job.progress(50);
        await job.progress({ stage: 'transcribing', percent: 60 });
        await release.promise;
        return 'done';
      });
      const id = await queue.enqueue(name, null);
      await expect
        .poll(async () => (await queue.getJob(name, id))?.progress, { timeout: 10_000, interval: 20 })
        .toEqual({ stage: 'transcribing', percent: 60 });
      expect((await queue.getJob(name, id))?.status).toBe('active');
      release.resolve();
      expect(await finished(queue, name, id)).toMatchObject({ status: 'completed' });
      await worker.close();
    });

    it('when concurrency is 2, then at most two jobs run at once, and all run', async () => {
      const name = unique('concurrency');
      let running = 0;
      let most = 0;
      const gates = Array.from({ length: 4 }, () => deferred());
      const started: number[] = [];
      const worker = queue.process<number>(
        name,
        async (job) => {
          running += 1;
          most = Math.max(most, running);
          started.push(job.payload);
          await gates[job.payload]?.promise;
          running -= 1;
        },
        { concurrency: 2 },
      );
      const ids = [];
      for (let i = 0; i < 4; i += 1) ids.push(await queue.enqueue(name, i));
      await expect.poll(() => started.length, { timeout: 10_000 }).toBe(2);
      for (const gate of gates) gate.resolve();
      for (const id of ids) await finished(queue, name, id);
      expect(most).toBe(2);
      expect(started.sort()).toEqual([0, 1, 2, 3]);
      await worker.close();
    });

    it('when delayed, then the job waits as delayed and runs later', async () => {
      const name = unique('delayed');
      const worker = queue.process(name, () => Promise.resolve('later'));
      const id = await queue.enqueue(name, null, { delayMs: 1500 });
      expect((await queue.getJob(name, id))?.status).toBe('delayed');
      expect(await finished(queue, name, id)).toMatchObject({ status: 'completed', result: 'later' });
      await worker.close();
    });

    it('when a recurring job is scheduled (from every instance), then each period runs once', async () => {
      const name = unique('tick');
      const peer = fixture.makePeer === undefined ? queue : await fixture.makePeer();
      const ids: string[] = [];
      const record = (job: { id: string }) => {
        ids.push(job.id);
        return Promise.resolve();
      };
      const workers = [queue.process(name, record)];
      if (peer !== queue) workers.push(peer.process(name, record));
      await queue.schedule(name, { id: 'every-200', everyMs: 200, payload: { kind: 'tick' } });
      await peer.schedule(name, { id: 'every-200', everyMs: 200, payload: { kind: 'tick' } });
      await expect.poll(() => ids.length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(3);
      await queue.unschedule(name, 'every-200');
      for (const worker of workers) await worker.close();
      // Every run is a different period: the two instances never both ran one.
      expect(new Set(ids).size).toBe(ids.length);
      if (peer !== queue) await peer.close();
    });
  });
}
