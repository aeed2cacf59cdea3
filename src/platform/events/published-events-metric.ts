// The one count of published events both event-bus drivers report to, told apart by driver.
import type { Counter, Registry } from 'prom-client';
import { counter } from '../telemetry/metric-factory.js';

/** The counter on `metrics`, or undefined when the bus is not measured. */
export function publishedEventsMetric(metrics: Registry | undefined): Counter<'driver'> | undefined {
  return metrics === undefined
    ? undefined
    : counter(metrics, {
        name: 'azimuth_events_published_total',
        help: 'Events published, by driver',
        labelNames: ['driver'],
      });
}
