// The retrying publisher over a fake bus that fails on demand: events wait in order while the bus
// is down, go out exactly once when it is back, the FIFO is bounded, and shutdown flushes.
// Time is fake: backoff waits advance with the timers, never with sleeps.
import { ConstantBackoff } from 'cockatiel';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DependencyCheck } from '../../../src/platform/health/dependency-check.js';
import { RetryingPublisher } from '../../../src/platform/events/retrying-publisher.js';
import { createLogger } from '../../../src/platform/telemetry/logger.js';

class Outage extends Error {}

interface Published {
  channel: string;
  data: unknown;
}

/** A bus whose publishes fail with an Outage while `down`, and can be held in flight on demand. */
function fakeBus() {
  const state = { down: false, hold: false, attempts: 0 };
  const published: Published[] = [];
  const held: Array<{ settle: () => void }> = [];
  const check: DependencyCheck = {
    name: 'events',
    driver: 'fake',
    required: false,
    check: () =>
      Promise.resolve(
        state.down
          ? { status: 'degraded', error: 'down', details: { connection: 'down' } }
          : { status: 'healthy' },
      ),
  };
  const publishNow = (channel: string, data: unknown) => {
    if (state.down) return Promise.reject(new Outage('Connection is closed.'));
    published.push({ channel, data });
    return Promise.resolve(String(published.length));
  };
  const publish = (channel: string, data: unknown): Promise<string> => {
    state.attempts += 1;
    if (!state.hold) return publishNow(channel, data);
    // Like a command on a socket that dropped: it settles later, by what the bus is by then.
    return new Promise((resolve, reject) => {
      held.push({ settle: () => void publishNow(channel, data).then(resolve, reject) });
    });
  };
  return { state, published, held, bus: { publish, check } };
}

type LogLine = { level: string; msg: string } & Record<string, unknown>;

function capturingLogger() {
  const lines: LogLine[] = [];
  const hooks: Array<(line: LogLine) => void> = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write: (text: string) => {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const hook of hooks) hook(line);
      },
    },
  });
  return { logger, lines, hooks };
}

function setup(options: { maxPending?: number; flushTimeoutMs?: number } = {}) {
  const fake = fakeBus();
  const logs = capturingLogger();
  const metrics = new Registry();
  const publisher = new RetryingPublisher(
    { backoff: new ConstantBackoff(100), ...options },
    { bus: fake.bus, logger: logs.logger, metrics, isTransient: (e) => e instanceof Outage },
  );
  return { ...fake, ...logs, metrics, publisher };
}

const dataOf = (published: Published[]) => published.map((p) => p.data);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retrying publisher', () => {
  it('when the bus answers, then each event is published at once and nothing waits', async () => {
    const { publisher, published } = setup();
    await publisher.publish('stars', 1);
    await publisher.publish('users', 2);
    expect(published).toEqual([
      { channel: 'stars', data: 1 },
      { channel: 'users', data: 2 },
    ]);
    expect(publisher.pending).toBe(0);
    expect(await publisher.check.check(AbortSignal.timeout(1000))).toEqual({
      status: 'healthy',
      details: { pendingEvents: 0 },
    });
  });

  it('when the bus is down, then publishes resolve, events wait, /health is degraded, and once it is back each goes out once, in order', async () => {
    const { publisher, published, state, lines } = setup();
    await publisher.publish('stars', 1);
    state.down = true;
    for (const n of [2, 3, 4]) await publisher.publish('stars', n);
    await publisher.publish('users', 'u5');
    await publisher.publish('stars', 6);
    expect(publisher.pending).toBe(5);
    const degraded = await publisher.check.check(AbortSignal.timeout(1000));
    expect(degraded).toMatchObject({ status: 'degraded', details: { connection: 'down', pendingEvents: 5 } });
    // Retries keep failing while it is down, and nothing is published or lost meanwhile.
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.attempts).toBeGreaterThan(8);
    expect(dataOf(published)).toEqual([1]);

    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 2, 3, 4, 'u5', 6]);
    expect(publisher.pending).toBe(0);
    expect(await publisher.check.check(AbortSignal.timeout(1000))).toMatchObject({ status: 'healthy' });
    // Later events go straight out again, after the others.
    await publisher.publish('stars', 7);
    expect(dataOf(published)).toEqual([1, 2, 3, 4, 'u5', 6, 7]);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines.find((l) => l.level === 'info')).toMatchObject({ published: 5, dropped: 0 });
  });

  it('when an earlier publish is still in flight as the bus drops, then it is not overtaken by later ones', async () => {
    const { publisher, published, state, held } = setup();
    state.hold = true;
    const first = publisher.publish('stars', 1);
    const second = publisher.publish('stars', 2);
    state.hold = false;
    state.down = true;
    await publisher.publish('stars', 3);
    expect(publisher.pending).toBe(1);
    // The two in flight fail late, and in reverse order.
    held[1]?.settle();
    held[0]?.settle();
    await Promise.all([first, second]);
    expect(publisher.pending).toBe(3);
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 2, 3]);
  });

  it('when the bus is back but events still wait for their retry, then a new event queues behind them', async () => {
    const { publisher, published, state } = setup();
    state.down = true;
    for (const n of [1, 2]) await publisher.publish('stars', n);
    state.down = false;
    await publisher.publish('stars', 3);
    expect(published).toEqual([]);
    expect(publisher.pending).toBe(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 2, 3]);
  });

  it('when the bus fails again just as the queue drained, then the new event is still retried', async () => {
    const { publisher, published, state, hooks } = setup();
    state.down = true;
    await publisher.publish('stars', 1);
    // Published from the drain's own last line, as a request could be in that moment.
    hooks.push((line) => {
      if (line.level !== 'info') return;
      state.down = true;
      void publisher.publish('stars', 2);
    });
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1]);
    expect(publisher.pending).toBe(1);
    hooks.length = 0;
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 2]);
  });

  it('when the FIFO is full, then newer events are dropped with one error line and counted, and the kept ones still go out', async () => {
    const { publisher, published, state, lines, metrics } = setup({ maxPending: 3 });
    state.down = true;
    for (const n of [1, 2, 3, 4, 5]) await publisher.publish('stars', n);
    expect(publisher.pending).toBe(3);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ maxPending: 3 });
    expect(errors[0]?.msg).toMatch(/queue full/);
    expect(await metrics.getSingleMetricAsString('azimuth_events_dropped_total')).toMatch(
      /reason="overflow"} 2/,
    );
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 2, 3]);
    expect(lines.find((l) => l.level === 'info')).toMatchObject({ published: 3, dropped: 2 });
  });

  it('when the bus refuses an event for another reason than an outage, then it is dropped and does not block the next', async () => {
    const { publisher, published, state, bus, lines } = setup();
    state.down = true;
    await publisher.publish('stars', 1);
    const publish = bus.publish;
    bus.publish = (channel, data) =>
      data === 2 ? Promise.reject(new TypeError('not serializable')) : publish(channel, data);
    await publisher.publish('stars', 2);
    await publisher.publish('stars', 3);
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(dataOf(published)).toEqual([1, 3]);
    expect(lines.find((l) => l.level === 'error')?.msg).toMatch(/refused a change event/);
  });

  it('when closing while the bus comes back, then what waits is published before close resolves', async () => {
    const { publisher, published, state } = setup();
    state.down = true;
    for (const n of [1, 2]) await publisher.publish('stars', n);
    const closed = publisher.close();
    state.down = false;
    await vi.advanceTimersByTimeAsync(100);
    await closed;
    expect(dataOf(published)).toEqual([1, 2]);
  });

  it('when closing while the bus stays down, then close gives up at its deadline and says how many are lost', async () => {
    const { publisher, published, state, lines, metrics } = setup({ flushTimeoutMs: 1000 });
    state.down = true;
    for (const n of [1, 2]) await publisher.publish('stars', n);
    const closed = publisher.close();
    await vi.advanceTimersByTimeAsync(1000);
    await closed;
    expect(publisher.pending).toBe(0);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ lost: 2, channels: ['stars'] });
    // A retry already waiting ends without publishing, even if the bus answers now.
    state.down = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toEqual([]);
    await publisher.publish('stars', 3);
    expect(published).toEqual([]);
    expect(await metrics.getSingleMetricAsString('azimuth_events_dropped_total')).toMatch(
      /reason="shutdown"} 3/,
    );
  });
});
