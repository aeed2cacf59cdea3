import { describe, expect, it, vi } from 'vitest';
import type { DependencyCheck } from '../../../src/platform/health/dependency-check.js';
import { createHealthRegistry } from '../../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../../src/platform/health/lifecycle.js';

const check = (name: string, required: boolean, run: DependencyCheck['check']): DependencyCheck => ({
  name,
  driver: 'fake',
  required,
  check: run,
});

describe('health registry', () => {
  it('is healthy when every dependency is', async () => {
    const health = createHealthRegistry();
    health.register(check('db', true, async () => ({ status: 'healthy' })));
    const report = await health.report();
    expect(report.status).toBe('healthy');
    expect(report.dependencies.db).toMatchObject({ status: 'healthy', driver: 'fake', required: true });
    expect(report.dependencies.db?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('is degraded when an optional dependency fails, unhealthy when a required one does', async () => {
    const health = createHealthRegistry();
    health.register(check('db', true, async () => ({ status: 'healthy' })));
    health.register(check('cache', false, () => Promise.reject(new Error('ECONNREFUSED'))));
    expect(await health.report()).toMatchObject({
      status: 'degraded',
      dependencies: { cache: { status: 'unhealthy', error: 'ECONNREFUSED' } },
    });

    health.register(check('storage', true, async () => ({ status: 'unhealthy', error: 'breaker open' })));
    expect((await health.report()).status).toBe('unhealthy');
  });

  it('times out a check that hangs', async () => {
    const health = createHealthRegistry({ timeoutMs: 20 });
    health.register(check('slow', true, () => new Promise(() => undefined)));
    expect((await health.report()).dependencies.slow).toMatchObject({
      status: 'unhealthy',
      error: 'check timed out after 20 ms',
    });
  });

  it('shares one run between concurrent callers', async () => {
    const health = createHealthRegistry();
    const run = vi.fn(async () => ({ status: 'healthy' as const }));
    health.register(check('db', true, run));
    await Promise.all([health.report(), health.report(), health.report()]);
    expect(run).toHaveBeenCalledTimes(1);
    await health.report();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('refuses two checks with one name', () => {
    const health = createHealthRegistry();
    health.register(check('db', true, async () => ({ status: 'healthy' })));
    expect(() => health.register(check('db', true, async () => ({ status: 'healthy' })))).toThrow(
      'registered twice',
    );
  });
});

describe('lifecycle', () => {
  it('moves starting → ready → draining and runs drain callbacks once', async () => {
    const lifecycle = createLifecycle();
    const closed = vi.fn();
    const removed = vi.fn();
    lifecycle.onDrain(closed);
    const remove = lifecycle.onDrain(removed);
    remove();
    expect(lifecycle.state).toBe('starting');
    lifecycle.markReady();
    expect(lifecycle.state).toBe('ready');
    await Promise.all([lifecycle.drain(), lifecycle.drain()]);
    lifecycle.markReady();
    expect(lifecycle.state).toBe('draining');
    expect(closed).toHaveBeenCalledTimes(1);
    expect(removed).not.toHaveBeenCalled();
  });
});
