// OpenTelemetry export to Application Insights, loaded only when a connection string is set, so
// a process without one pays no start-up cost. Call before the HTTP stack is imported, so the
// instrumentations can patch it.
import type { Logger } from 'pino';

export async function startAzureMonitor(options: {
  connectionString: string | undefined;
  serviceName: string;
  logger: Logger;
}): Promise<(() => Promise<void>) | undefined> {
  if (!options.connectionString) return undefined;
  process.env.OTEL_SERVICE_NAME ??= options.serviceName;
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  useAzureMonitor({ azureMonitorExporterOptions: { connectionString: options.connectionString } });
  options.logger.info('Application Insights telemetry enabled');
  return shutdownAzureMonitor;
}
