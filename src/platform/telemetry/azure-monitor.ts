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
  /** Share of traces kept, 0–1 (APPLICATIONINSIGHTS_SAMPLING_RATIO). */
  samplingRatio?: number;
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
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: options.connectionString,
      ...(credential === undefined ? {} : { credential }),
    },
    samplingRatio: options.samplingRatio ?? 1,
    instrumentationOptions: {
      http: { enabled: true },
      postgreSql: { enabled: true },
      redis: { enabled: true },
      azureSdk: { enabled: true },
    },
  });
  options.logger.info(
    { samplingRatio: options.samplingRatio ?? 1, managedIdentity: credential !== undefined },
    'Application Insights telemetry enabled',
  );
  return shutdownAzureMonitor;
}
