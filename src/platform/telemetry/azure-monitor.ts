// OpenTelemetry export to Application Insights, loaded only when a connection string is set, so
// a process without one pays no start-up cost. Call before the HTTP stack is imported: the ESM
// loader hook registered here instruments what is imported afterwards (http, pg, ioredis, Azure
// SDK calls), giving requests and dependencies. Logs (pino lines, as traces and exceptions) and
// Azimuth's own metrics reach it through otel-log-stream.ts and otel-metrics-bridge.ts.
import type { Logger } from 'pino';

export interface AzureMonitorOptions {
  connectionString: string | undefined;
  serviceName: string;
  logger: Logger;
  /** Share of traces kept, 0–1 (APPLICATIONINSIGHTS_SAMPLING_RATIO), when no rate is set. */
  samplingRatio?: number;
  /**
   * Traces this process exports per second, rate-limited (APPLICATIONINSIGHTS_TRACES_PER_SECOND
   * shared among the cluster's processes); 0: no rate limit, `samplingRatio` alone decides.
   */
  tracesPerSecond?: number;
  /** Server spans at least this long are exported whatever the rate (APPLICATIONINSIGHTS_SLOW_REQUEST_MS). */
  slowRequestMs?: number;
  /**
   * Authenticate the ingestion with Entra ID (managed identity through DefaultAzureCredential;
   * the identity needs "Monitoring Metrics Publisher"), so local auth can be disabled.
   */
  useManagedIdentity?: boolean;
  /** How often metrics are exported (APPLICATIONINSIGHTS_METRIC_PERIOD_MS). */
  metricIntervalMs?: number;
}

export async function startAzureMonitor(
  options: AzureMonitorOptions,
): Promise<(() => Promise<void>) | undefined> {
  if (!options.connectionString) return undefined;
  process.env.OTEL_SERVICE_NAME ??= options.serviceName;
  // The distro reads the metric interval only from the environment.
  if (options.metricIntervalMs !== undefined) {
    process.env.OTEL_METRIC_EXPORT_INTERVAL = String(options.metricIntervalMs);
  }
  // Azimuth is ESM: without this hook, modules imported later would not be instrumented.
  await import('@azure/monitor-opentelemetry/loader');
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  const credential = options.useManagedIdentity
    ? new (await import('@azure/identity')).DefaultAzureCredential()
    : undefined;
  const tracesPerSecond = options.tracesPerSecond ?? 0;
  const spanProcessors = tracesPerSecond > 0 ? [await rateLimitedProcessor(tracesPerSecond, options)] : [];
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: options.connectionString,
      ...(credential === undefined ? {} : { credential }),
    },
    // With a rate, the distro records every span and the processor decides at the end (see
    // trace-sampling-processor.ts); its own head sampler (tracesPerSecond, default 5) is off.
    samplingRatio: tracesPerSecond > 0 ? 1 : (options.samplingRatio ?? 1),
    tracesPerSecond: 0,
    spanProcessors,
    // Log lines (and the exceptions among them) are all exported, whatever the trace's fate.
    enableTraceBasedSamplingForLogs: false,
    instrumentationOptions: {
      http: { enabled: true },
      postgreSql: { enabled: true },
      redis: { enabled: true },
      azureSdk: { enabled: true },
    },
  });
  options.logger.info(
    {
      ...(tracesPerSecond > 0
        ? { tracesPerSecond, slowRequestMs: options.slowRequestMs }
        : { samplingRatio: options.samplingRatio ?? 1 }),
      managedIdentity: credential !== undefined,
    },
    'Application Insights telemetry enabled',
  );
  return shutdownAzureMonitor;
}

/** The distro's own rate limiter (RateLimitedSampler), deciding at the end with errors and slow kept. */
async function rateLimitedProcessor(
  tracesPerSecond: number,
  options: AzureMonitorOptions,
): Promise<import('./trace-sampling-processor.js').TraceSamplingProcessor> {
  const { RateLimitedSampler } = await import('@azure/monitor-opentelemetry-exporter');
  const { TraceSamplingProcessor } = await import('./trace-sampling-processor.js');
  return new TraceSamplingProcessor({
    rateSampler: new RateLimitedSampler(tracesPerSecond),
    slowRequestMs: options.slowRequestMs ?? 5000,
  });
}
