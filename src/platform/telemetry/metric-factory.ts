// Get-or-create for prom-client metrics on a passed-in Registry, so two drivers (or two
// instances of one) can share a metric name without "already registered" errors.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Config<T extends string> = { name: string; help: string; labelNames: readonly T[] };

export function counter<T extends string>(registry: Registry, config: Config<T>): Counter<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing instanceof Counter) return existing;
  return new Counter({ ...config, registers: [registry] });
}

export function gauge<T extends string>(registry: Registry, config: Config<T>): Gauge<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ ...config, registers: [registry] });
}

export function histogram<T extends string>(
  registry: Registry,
  config: Config<T> & { buckets?: number[] },
): Histogram<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing instanceof Histogram) return existing;
  return new Histogram({ ...config, registers: [registry] });
}
