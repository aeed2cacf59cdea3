// Every line a test logger writes is also appended to this run's log directory (one file per
// worker process), so the end of the run can scan all of them for secrets. Quiet test loggers log
// at info while collecting, so the scan sees what production would write; what a test reads back
// stays at the level it asked for. Off when the variable is unset (another vitest config).
import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';

/** Set by test/log-secrets-setup.ts for the whole run. */
export const collectedLogsVariable = 'AZIMUTH_TEST_LOG_DIR';

const directory = (): string | undefined => process.env[collectedLogsVariable] || undefined;

// One descriptor per process and directory, opened on first use (a busy suite writes many lines).
const files = new Map<string, number>();

/** Appends `chunk` (one or more JSON lines) to this process's file; a no-op when not collecting. */
export function collectLogLines(chunk: string): void {
  const dir = directory();
  if (dir === undefined) return;
  let fd = files.get(dir);
  if (fd === undefined) {
    fd = openSync(join(dir, `${process.pid}.log`), 'a');
    files.set(dir, fd);
  }
  writeSync(fd, chunk.endsWith('\n') ? chunk : `${chunk}\n`);
}

const rank = (level: string): number => pino.levels.values[level] ?? Number.POSITIVE_INFINITY;

/** The level a test logger runs at: its own, or info when collecting and its own is quieter. */
export function collectingLevel(level: string): string {
  return directory() !== undefined && rank(level) > rank('info') ? 'info' : level;
}

/** Whether a line at `lineLevel` is one a test asked for with `level`. */
export const shownAt = (level: string, lineLevel: unknown): boolean =>
  typeof lineLevel === 'string' && rank(lineLevel) >= rank(level);

/**
 * Whether a test that asked for `level` can read any line back (not at `silent`). A quiet logger
 * still writes at info while collecting; what nobody can read back need not be kept.
 */
export const showsAnyLine = (level: string): boolean => rank(level) !== Number.POSITIVE_INFINITY;
