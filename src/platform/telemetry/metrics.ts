// One Prometheus registry per process (per app in tests), with process metrics; ports and
// the HTTP layer add their own metrics to it. With Application Insights on, the composition root
// bridges it to OpenTelemetry (otel-metrics-bridge.ts), so the same metrics reach it.
import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry } from 'prom-client';

export function createMetricsRegistry(defaultLabels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
