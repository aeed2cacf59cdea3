// A logger that writes nowhere a test reads, for tests that do not read log lines; while the run
// collects logs (test/helpers/collected-logs.ts), its lines go to the secrets scan.
import { createLogger, type Logger } from '../../src/platform/telemetry/logger.js';
import { collectLogLines, collectingLevel } from './collected-logs.js';

export function silentLogger(): Logger {
  const level = collectingLevel('silent');
  return level === 'silent'
    ? createLogger({ level })
    : createLogger({ level, destination: { write: collectLogLines } });
}
