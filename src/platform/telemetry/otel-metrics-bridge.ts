// Azimuth's Prometheus metrics, also exported through OpenTelemetry (to Application Insights as
// customMetrics) when a MeterProvider is registered; a no-op otherwise. Counters and gauges keep
// their names and labels; a histogram becomes `{name}_p95` (the 95th percentile since start,
// estimated from its buckets, e.g. http_request_duration_seconds_p95) and `{name}_count`.
import { metrics, type Attributes, type ObservableResult } from '@opentelemetry/api';
import { Histogram, type MetricObject, type MetricValue, type Registry } from 'prom-client';

type Sample = MetricValue<string> & { metricName?: string };

/** Default process metrics stay on /metrics only; App Service already reports them. */
const bridged = (name: string) => !name.startsWith('process_') && !name.startsWith('nodejs_');

/** The 95th percentile from cumulative buckets: the upper bound of the bucket that reaches 95 %. */
export function percentileFromBuckets(buckets: { le: number; count: number }[], quantile = 0.95): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return 0;
  const finite = sorted.filter((b) => Number.isFinite(b.le));
  const hit = sorted.find((b) => b.count >= quantile * total);
  return hit === undefined || !Number.isFinite(hit.le) ? (finite.at(-1)?.le ?? 0) : hit.le;
}

function labelsOf(sample: Sample): Attributes {
  const { le: _le, ...labels } = sample.labels as Record<string, string | number>;
  return labels;
}

function histogramSeries(metric: MetricObject & { values: Sample[] }): {
  p95: [Attributes, number][];
  count: [Attributes, number][];
} {
  const groups = new Map<
    string,
    { labels: Attributes; buckets: { le: number; count: number }[]; count: number }
  >();
  for (const sample of metric.values) {
    const labels = labelsOf(sample);
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, buckets: [], count: 0 };
    groups.set(key, group);
    if (sample.metricName?.endsWith('_bucket') === true) {
      const le = sample.labels.le;
      group.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: sample.value });
    } else if (sample.metricName?.endsWith('_count') === true) group.count = sample.value;
  }
  const all = [...groups.values()];
  return {
    p95: all.map((g) => [g.labels, percentileFromBuckets(g.buckets)]),
    count: all.map((g) => [g.labels, g.count]),
  };
}

/**
 * One observable gauge per Prometheus metric (two per histogram), each reading its metric at
 * export time. Metrics registered later (modules add theirs after start-up) are picked up by a
 * scan at every export, so they are exported from the next interval on.
 */
export function bridgeMetricsToOpenTelemetry(registry: Registry): void {
  const meter = metrics.getMeter('azimuth');
  const seen = new Set<string>();
  const read = async (name: string) => {
    const metric = registry.getSingleMetric(name);
    return metric === undefined ? undefined : ((await metric.get()) as MetricObject & { values: Sample[] });
  };
  const gauge = (name: string, help: string, observe: (result: ObservableResult) => Promise<void>) =>
    meter.createObservableGauge(name, { description: help }).addCallback(observe);

  const scan = () => {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, help } = metric as unknown as { name: string; help: string };
      if (!bridged(name) || seen.has(name)) continue;
      seen.add(name);
      if (metric instanceof Histogram) {
        gauge(`${name}_p95`, help, async (result) => {
          const current = await read(name);
          if (current)
            for (const [labels, value] of histogramSeries(current).p95) result.observe(value, labels);
        });
        gauge(`${name}_count`, help, async (result) => {
          const current = await read(name);
          if (current)
            for (const [labels, value] of histogramSeries(current).count) result.observe(value, labels);
        });
      } else {
        gauge(name, help, async (result) => {
          const current = await read(name);
          for (const sample of current?.values ?? []) result.observe(sample.value, labelsOf(sample));
        });
      }
    }
  };
  scan();
  meter
    .createObservableGauge('azimuth_metrics_bridged', { description: 'Prometheus metrics exported' })
    .addCallback((result) => {
      scan();
      result.observe(seen.size);
    });
}
