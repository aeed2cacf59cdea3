// Job metrics both drivers record: how long handlers take and how many jobs fail for good.
import type { Registry } from 'prom-client';
import { counter, histogram } from '../telemetry/metric-factory.js';

export interface JobMetrics {
  observe(queue: string, outcome: 'completed' | 'failed' | 'retried', seconds: number): void;
}

export function jobMetrics(registry: Registry | undefined, driver: string): JobMetrics {
  if (registry === undefined) return { observe: () => undefined };
  const duration = histogram(registry, {
    name: 'azimuth_job_duration_seconds',
    help: 'Job handler run time by queue, driver and outcome',
    labelNames: ['queue', 'driver', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  });
  const failures = counter(registry, {
    name: 'azimuth_jobs_failed_total',
    help: 'Jobs that failed their last attempt, by queue and driver',
    labelNames: ['queue', 'driver'],
  });
  return {
    observe(queue, outcome, seconds) {
      duration.observe({ queue, driver, outcome }, seconds);
      if (outcome === 'failed') failures.inc({ queue, driver });
    },
  };
}
