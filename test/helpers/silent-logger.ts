// A logger that writes nowhere, for tests that do not read log lines.
import { createLogger, type Logger } from '../../src/platform/telemetry/logger.js';

export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
