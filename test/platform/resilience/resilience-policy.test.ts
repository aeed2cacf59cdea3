// Retry, backoff, Retry-After and breaker transitions, driven by fake timers (no sleeps).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import {
  BreakerOpenError,
  OperationTimeoutError,
  toDependencyError,
  createPolicy,
  createPolicyCheck,
  createPolicyMetrics,
  isBreakerOpenError,
  type PolicyOptions,
} from '../../../src/platform/resilience/index.js';

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`status ${status}`), { statusCode: status, response: { headers } });

function makePolicy(overrides: Partial<PolicyOptions> = {}) {
  return createPolicy({
    name: 'storage',
    timeoutMs: 5_000,
    retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 30_000 },
    breaker: { threshold: 5, halfOpenAfterMs: 60_000 },
    random: () => 0.5,
    ...overrides,
  });
}

/** Settles a promise while advancing fake time, and returns its outcome. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

describe('createPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when a call fails with 503 twice then succeeds, then it is retried with jittered exponential delays', async () => {
    const policy = makePolicy();
    const delays: number[] = [];
    policy.onRetry((event) => delays.push(event.delayMs));
    const fn = vi
      .fn<(signal: AbortSignal) => Promise<string>>()
      .mockRejectedValueOnce(httpError(503))
      .mockRejectedValueOnce(httpError(503))
      .mockResolvedValueOnce('ok');
    const { value } = await settle(policy.execute(fn));
    expect(value).toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
    // random 0.5 of ceilings 1000, 2000.
    expect(delays).toEqual([500, 1000]);
  });

  it.each([400, 401, 403, 404, 409, 412])(
    'when a call fails with %i, then it is not retried',
    async (status) => {
      const policy = makePolicy();
      const fn = vi.fn(() => Promise.reject(httpError(status)));
      const { error } = await settle(policy.execute(fn));
      expect((error as { statusCode: number }).statusCode).toBe(status);
      expect(fn).toHaveBeenCalledTimes(1);
    },
  );

  it.each([408, 429, 500, 502, 503, 504])(
    'when a call keeps failing with %i, then it is tried 1 + maxRetries times',
    async (status) => {
      const policy = makePolicy();
      const fn = vi.fn(() => Promise.reject(httpError(status)));
      await settle(policy.execute(fn));
      expect(fn).toHaveBeenCalledTimes(4);
    },
  );

  it('when a network error occurs (ECONNREFUSED in a cause chain), then it is retried', async () => {
    const policy = makePolicy();
    const network = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    const fn = vi
      .fn<(signal: AbortSignal) => Promise<number>>()
      .mockRejectedValueOnce(network)
      .mockResolvedValueOnce(1);
    expect((await settle(policy.execute(fn))).value).toBe(1);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('when the server sends Retry-After, then the delay is at least that, capped at the max delay', async () => {
    const policy = makePolicy({ retry: { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 10_000 } });
    const delays: number[] = [];
    policy.onRetry((event) => delays.push(event.delayMs));
    const fn = vi
      .fn<(signal: AbortSignal) => Promise<string>>()
      .mockRejectedValueOnce(httpError(429, { 'retry-after': '3' }))
      .mockRejectedValueOnce(httpError(503, { 'retry-after': '120' }))
      .mockResolvedValueOnce('ok');
    await settle(policy.execute(fn));
    expect(delays).toEqual([3_000, 10_000]);
  });

  it('when jitter draws differ, then delays spread over [0, ceiling] and never exceed the cap', async () => {
    const draws = [0, 0.999, 0.999];
    const policy = makePolicy({
      retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 1_500 },
      random: () => draws.shift() ?? 0,
    });
    const delays: number[] = [];
    policy.onRetry((event) => delays.push(event.delayMs));
    await settle(policy.execute(() => Promise.reject(httpError(500))));
    expect(delays).toEqual([0, 1_498, 1_498]);
  });

  it('when an attempt exceeds the timeout, then it fails with OperationTimeoutError and is retried', async () => {
    const policy = makePolicy({
      timeoutMs: 1_000,
      retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const seen: boolean[] = [];
    const fn = vi.fn(
      (signal: AbortSignal) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => seen.push(true));
          setTimeout(() => resolve('late'), 5_000);
        }),
    );
    const { error } = await settle(policy.execute(fn));
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([true, true]);
  });

  it('when 5 consecutive transient failures happen, then the breaker opens and fails fast; after the half-open time a probe closes it', async () => {
    const policy = makePolicy({ retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const states: string[] = [];
    policy.onStateChange((state) => states.push(state));
    const failing = vi.fn(() => Promise.reject(httpError(503)));
    for (let i = 0; i < 5; i++) await settle(policy.execute(failing));
    expect(policy.state).toBe('open');
    expect(failing).toHaveBeenCalledTimes(5);

    vi.advanceTimersByTime(20_000);
    const { error } = await settle(policy.execute(failing));
    expect(failing).toHaveBeenCalledTimes(5);
    expect(isBreakerOpenError(error)).toBe(true);
    expect((error as BreakerOpenError).retryAfterMs).toBe(40_000);
    const appError = toDependencyError(error, 'storage');
    expect(appError?.status).toBe(503);
    expect(appError?.retryAfterSeconds).toBe(40);

    vi.advanceTimersByTime(40_000);
    const ok = vi.fn(() => Promise.resolve('back'));
    expect((await settle(policy.execute(ok))).value).toBe('back');
    expect(policy.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('when a half-open probe fails, then the breaker opens again', async () => {
    const policy = makePolicy({
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      breaker: { threshold: 2, halfOpenAfterMs: 1_000 },
    });
    const failing = () => Promise.reject(httpError(500));
    await settle(policy.execute(failing));
    await settle(policy.execute(failing));
    expect(policy.state).toBe('open');
    vi.advanceTimersByTime(1_000);
    await settle(policy.execute(failing));
    expect(policy.state).toBe('open');
  });

  it('when many 404s happen, then the breaker stays closed', async () => {
    const policy = makePolicy({ breaker: { threshold: 2, halfOpenAfterMs: 1_000 } });
    for (let i = 0; i < 10; i++) await settle(policy.execute(() => Promise.reject(httpError(404))));
    expect(policy.state).toBe('closed');
  });

  it('when retries are exhausted mid-way and the breaker opens, then remaining retries stop with BreakerOpenError', async () => {
    const policy = makePolicy({ breaker: { threshold: 2, halfOpenAfterMs: 60_000 } });
    const fn = vi.fn(() => Promise.reject(httpError(503)));
    const { error } = await settle(policy.execute(fn));
    expect(fn).toHaveBeenCalledTimes(2);
    expect(error).toBeInstanceOf(BreakerOpenError);
  });

  it('when a classify override says an error is final, then it is not retried', async () => {
    const policy = makePolicy({
      classify: (error) => ((error as Error).message === 'final' ? false : undefined),
    });
    const fn = vi.fn(() => Promise.reject(Object.assign(new Error('final'), { status: 503 })));
    await settle(policy.execute(fn));
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('when the breaker opens, then the gauge and the health check report it', async () => {
    const registry = new Registry();
    const metrics = createPolicyMetrics({ registry });
    const policy = makePolicy({
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      breaker: { threshold: 2, halfOpenAfterMs: 60_000 },
    });
    metrics.track(policy);
    const check = createPolicyCheck({
      name: 'storage',
      driver: 'azure',
      required: true,
      policy,
      probe: () => Promise.resolve(),
    });
    expect((await check.check(AbortSignal.timeout(1000))).status).toBe('healthy');
    await settle(policy.execute(() => Promise.reject(httpError(503))));
    const text = await registry.metrics();
    expect(text).toContain('circuit_breaker_state{dependency="storage"} 2');
    expect(text).toContain('dependency_retries_total{dependency="storage"} 1');
    const result = await check.check(AbortSignal.timeout(1000));
    expect(result.status).toBe('unhealthy');
    expect(result.details).toMatchObject({ breaker: 'open', breakerRetryAfterMs: 60_000 });
  });
});
