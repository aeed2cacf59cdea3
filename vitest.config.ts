import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites share PostgreSQL, Redis and spawn processes: two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
