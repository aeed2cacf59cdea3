// One Prometheus registry per process (per app in tests), with process metrics; ports and
// the HTTP layer add their own metrics to it. Bridged to OpenTelemetry, so with Application
// Insights on, the same metrics reach it (a no-op without it).
import { collectDefaultMetrics, Registry } from 'prom-client';
import { bridgeMetricsToOpenTelemetry } from './otel-metrics-bridge.js';

export type { Registry } from 'prom-client';

export function createMetricsRegistry(defaultLabels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(defaultLabels);
  collectDefaultMetrics({ register: registry });
  bridgeMetricsToOpenTelemetry(registry);
  return registry;
}
