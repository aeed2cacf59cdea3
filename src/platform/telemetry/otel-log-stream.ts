// Pino lines to OpenTelemetry log records, which Application Insights shows as traces (with the
// correlation id and every other field as properties) or, when a line carries an error, as an
// exception. It receives the line pino wrote, so redaction has already happened.
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { DestinationStream } from 'pino';

const severities: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

type Attribute = string | number | boolean;

function attributesOf(line: Record<string, unknown>): Record<string, Attribute> {
  const attributes: Record<string, Attribute> = {};
  for (const [key, value] of Object.entries(line)) {
    if (key === 'msg' || key === 'level' || key === 'time' || key === 'err' || value === null) continue;
    attributes[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  const err = line.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err !== undefined) {
    // The semantic-convention names the exporter turns into ExceptionData.
    attributes['exception.type'] = err.type ?? 'Error';
    attributes['exception.message'] = err.message ?? (typeof line.msg === 'string' ? line.msg : '');
    if (err.stack !== undefined) attributes['exception.stacktrace'] = err.stack;
  }
  return attributes;
}

/** A pino destination that emits each line as an OpenTelemetry log record (no-op until a provider is set). */
export function openTelemetryLogStream(): DestinationStream {
  return {
    write(text: string) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      const level = typeof line.level === 'string' ? line.level : 'info';
      logs.getLogger('azimuth').emit({
        severityNumber: severities[level] ?? SeverityNumber.INFO,
        severityText: level.toUpperCase(),
        body: typeof line.msg === 'string' ? line.msg : '',
        attributes: attributesOf(line),
      });
    },
  };
}
