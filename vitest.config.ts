import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/longest-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Collects what test loggers write and fails the run if a secret reached it.
    globalSetup: ['test/log-secrets-setup.ts'],
    // A file handle closed by the garbage collector (a stream opened and dropped) fails its file.
    setupFiles: ['test/file-handle-leak-setup.ts'],
    execArgv: ['--expose-gc'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites share PostgreSQL, Redis and spawn processes: two workers fit a 2-core machine.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
