import { describe, expect, it } from 'vitest';
import { withDeadline } from '../helpers/deadline.js';
import { spawnTs } from '../helpers/processes.js';

describe('start-up in staging and production', () => {
  it('when a serving role would use embedded drivers, then it stops with one line per driver and exit 2', async () => {
    const run = spawnTs('src/roles/cli.ts', ['worker'], {
      ENVIRONMENT: 'production',
      AUTH_JWT_SECRET: 'x'.repeat(32),
      ALLOW_EMBEDDED_DRIVERS: '["llm"]',
    });
    // A guard that only warned would leave the worker running: that must fail here, saying so,
    // with the process killed, not hang until the runner's timeout with it still alive.
    const exited = await withDeadline(run.exited, {
      ms: 20_000,
      what: 'the production guard stopping the worker',
      onExpiry: () => run.child.kill('SIGKILL'),
    });
    expect(exited.code).toBe(2);
    const problems = run.stderr.filter((line) => line.startsWith('  - '));
    expect(problems.map((line) => line.slice(4).split(':')[0])).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'AZURE_STORAGE_ACCOUNT_URL',
    ]);
    expect(run.stdout).toEqual([]);
  });
});
