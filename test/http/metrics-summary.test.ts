// GET /metrics/summary: the JSON digest of /metrics the console's Operations page charts.
import { describe, expect, it } from 'vitest';
import { breakerStateValue } from '../../src/platform/resilience/policy-metrics.js';
import { gauge } from '../../src/platform/telemetry/metric-factory.js';
import { buildTestApp } from '../helpers/test-app.js';

interface Summary {
  requests: { total: number; errors: number; buckets: { le: number; count: number }[] };
  connections: { sse: number; ws: number };
  queue: { driver: string; waiting: number | null; active: number | null };
  breakers: { dependency: string; state: string }[];
}

describe('GET /metrics/summary', () => {
  it('when requests were served, then it counts them (not probes) with a cumulative latency histogram', async () => {
    const { app } = await buildTestApp();
    await app.inject({ url: '/' });
    await app.inject({ url: '/nope' });
    await app.inject({ url: '/health/liveness' });
    const summary = (await app.inject({ url: '/metrics/summary' })).json<Summary>();
    expect(summary.requests.total).toBe(2);
    expect(summary.requests.errors).toBe(0);
    const counts = summary.requests.buckets.map((b) => b.count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(summary.requests.buckets.at(-1)).toEqual({ le: 1e9, count: 2 });
    await app.close();
  });

  it('when streams, sockets, jobs and breakers are reported, then it sums and names them', async () => {
    const test = await buildTestApp();
    const { metrics, health } = test.deps;
    gauge(metrics, { name: 'azimuth_sse_connections', help: 'x', labelNames: ['channel'] }).set(
      { channel: 'stars' },
      3,
    );
    gauge(metrics, { name: 'azimuth_sse_connections', help: 'x', labelNames: ['channel'] }).set(
      { channel: 'users' },
      1,
    );
    gauge(metrics, { name: 'azimuth_ws_connections', help: 'x', labelNames: [] }).set(2);
    gauge(metrics, { name: 'circuit_breaker_state', help: 'x', labelNames: ['dependency'] }).set(
      { dependency: 'storage' },
      breakerStateValue.open,
    );
    health.register({
      name: 'jobs',
      driver: 'in-process',
      required: false,
      check: async () => ({ status: 'healthy', details: { waiting: 4, active: 1 } }),
    });
    const summary = (await test.app.inject({ url: '/metrics/summary' })).json<Summary>();
    expect(summary.connections).toEqual({ sse: 4, ws: 2 });
    expect(summary.queue).toEqual({ driver: 'in-process', waiting: 4, active: 1 });
    expect(summary.breakers).toEqual([{ dependency: 'storage', state: 'open' }]);
    await test.app.close();
  });
});
