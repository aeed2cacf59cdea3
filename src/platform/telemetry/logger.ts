// The process logger: pino JSON lines, every line stamped with the current correlation id
// and scrubbed of credentials before it leaves the process.
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';
import { isoTimestamp } from './iso-timestamp.js';
import { requestContext } from './request-context.js';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Static fields on every line (service name, role, version). */
  base?: Record<string, unknown>;
  /** Where lines go; stdout when omitted. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Human-readable, colourised lines (pino-pretty) instead of JSON: for a terminal, never for a log sink. */
  pretty?: boolean;
  /**
   * Also write every line here: the OpenTelemetry log stream (Application Insights traces), which
   * the caller imports only when telemetry is exported (`otel-log-stream.ts`).
   */
  openTelemetry?: DestinationStream;
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/** pino-pretty, loaded only when asked for: processes writing JSON never pay for it. */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  return pretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,version',
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: isoTimestamp,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const correlationId = requestContext.correlationId();
        return correlationId === undefined ? {} : { correlationId };
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'req.headers["api-key"]',
          'req.headers["proxy-authorization"]',
          'res.headers["set-cookie"]',
          'headers.authorization',
          'headers.cookie',
          'headers["x-api-key"]',
          'headers["api-key"]',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        // Last line of defence: whatever a caller logged, credentials never reach the sink.
        streamWrite: redactSecrets,
      },
    },
    // Buffered: one write per 4 KiB instead of a syscall per line. Flushed every second below
    // so a quiet process's lines are not held back, and on shutdown and fatal paths.
    withOpenTelemetry(
      options.destination ??
        (options.pretty === true ? prettyStream() : pino.destination({ sync: false, minLength: 4096 })),
      options,
    ),
  );
  if (options.destination === undefined && options.pretty !== true)
    setInterval(() => logger.flush(), 1000).unref();
  return logger;
}

function withOpenTelemetry(destination: DestinationStream, options: LoggerOptions): DestinationStream {
  const telemetry = options.openTelemetry;
  if (telemetry === undefined) return destination;
  const buffered = destination as DestinationStream & {
    flush?: (callback?: (error?: Error) => void) => void;
    flushSync?: () => void;
  };
  // A tee rather than pino.multistream, which cannot flush() the buffered stdout stream.
  return Object.assign(
    {
      write(line: string) {
        buffered.write(line);
        telemetry.write(line);
      },
    },
    buffered.flush ? { flush: buffered.flush.bind(buffered) } : {},
    buffered.flushSync ? { flushSync: buffered.flushSync.bind(buffered) } : {},
  );
}
