// GET /metrics/summary: a small JSON digest of /metrics for the console's Operations charts, so a
// browser need not parse Prometheus text. Counters are cumulative; the client differences samples.
import type { Registry } from 'prom-client';
import Type, { type Static } from 'typebox';
import type { HealthRegistry } from '../platform/health/health-registry.js';
import { breakerStateValue } from '../platform/resilience/policy-metrics.js';
import type { App } from './app-types.js';

const MetricsSummary = Type.Object({
  at: Type.String({ format: 'date-time' }),
  requests: Type.Object({
    total: Type.Integer({ description: 'Requests answered since start (probes and streams left out)' }),
    errors: Type.Integer({ description: 'Of which 5xx' }),
    buckets: Type.Array(
      Type.Object({ le: Type.Number({ description: 'Upper bound, seconds' }), count: Type.Integer() }),
      { description: 'Cumulative latency histogram; the last bucket is +Inf (le 1e9)' },
    ),
  }),
  connections: Type.Object({ sse: Type.Integer(), ws: Type.Integer() }),
  queue: Type.Object({
    driver: Type.String(),
    waiting: Type.Union([Type.Integer(), Type.Null()]),
    active: Type.Union([Type.Integer(), Type.Null()]),
  }),
  breakers: Type.Array(Type.Object({ dependency: Type.String(), state: Type.String() })),
});
type MetricsSummary = Static<typeof MetricsSummary>;

/** Long-lived or machine traffic that would drown the latency of real calls. */
const excluded = (route: string) =>
  route.startsWith('/health') ||
  route.startsWith('/metrics') ||
  route.startsWith('/events/') ||
  route === '/ws';

interface Sample {
  value: number;
  metricName?: string;
  labels: Partial<Record<string, string | number>>;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  return metric === undefined ? [] : (await metric.get()).values;
}

async function requestSummary(registry: Registry): Promise<MetricsSummary['requests']> {
  const buckets = new Map<number, number>();
  let total = 0;
  let errors = 0;
  for (const sample of await samples(registry, 'http_request_duration_seconds')) {
    if (excluded(String(sample.labels.route ?? ''))) continue;
    if (sample.metricName?.endsWith('_count') === true) {
      total += sample.value;
      if (Number(sample.labels.status_code) >= 500) errors += sample.value;
    } else if (sample.metricName?.endsWith('_bucket') === true) {
      const le = sample.labels.le === '+Inf' ? 1e9 : Number(sample.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    }
  }
  const sorted = [...buckets].sort(([a], [b]) => a - b).map(([le, count]) => ({ le, count }));
  return { total, errors, buckets: sorted };
}

const sum = (values: Sample[]) => values.reduce((total, sample) => total + sample.value, 0);
const stateNames = Object.fromEntries(
  Object.entries(breakerStateValue).map(([name, value]) => [value, name]),
);

async function queueSummary(health: HealthRegistry): Promise<MetricsSummary['queue']> {
  const check = health.checks.find((c) => c.name === 'jobs');
  if (check === undefined) return { driver: 'none', waiting: null, active: null };
  const result = await check.check(AbortSignal.timeout(1000)).catch(() => undefined);
  const count = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    driver: check.driver,
    waiting: count(result?.details?.waiting),
    active: count(result?.details?.active),
  };
}

export function registerMetricsSummaryRoute(app: App, deps: { metrics: Registry; health: HealthRegistry }) {
  app.get(
    '/metrics/summary',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Request counts and latency histogram, open streams, queue depth and breaker states (JSON)',
        response: { 200: MetricsSummary },
      },
    },
    async (): Promise<MetricsSummary> => {
      const [requests, sse, ws, breakers, queue] = await Promise.all([
        requestSummary(deps.metrics),
        samples(deps.metrics, 'azimuth_sse_connections'),
        samples(deps.metrics, 'azimuth_ws_connections'),
        samples(deps.metrics, 'circuit_breaker_state'),
        queueSummary(deps.health),
      ]);
      return {
        at: new Date().toISOString(),
        requests,
        connections: { sse: sum(sse), ws: sum(ws) },
        queue,
        breakers: breakers.map((s) => ({
          dependency: String(s.labels.dependency),
          state: stateNames[s.value] ?? 'unknown',
        })),
      };
    },
  );
}
