// What the chaos test files share: one stack of their own per file (Redis, PostgreSQL, Azurite, the
// API and worker processes), the scenarios of `npm run chaos` with short faults, and the rule that
// every check must hold except timing ones (speed is the runner's report, not a test's business).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { startChaosStack, type ChaosStack } from '../../scripts/chaos/chaos-stack.js';
import { printResult } from '../../scripts/chaos/run-scenarios.js';
import type { Scenario } from '../../scripts/chaos/scenario.js';
import { redisServerInstalled } from '../helpers/one-database-redis.js';

/** True when redis-server and PostgreSQL's initdb are here; outside CI their absence skips loudly. */
export function chaosToolsInstalled(): boolean {
  if (!redisServerInstalled()) return false;
  if (existsSync('/usr/lib/postgresql')) return true;
  const message = 'PostgreSQL server binaries (initdb, pg_ctl) are missing; apt-get install -y postgresql';
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`\n!!! SKIPPING chaos tests: ${message}\n`);
  return false;
}

/** Starts the stack before the file's tests and stops it after; read `.stack` inside tests. */
export function useChaosStack(): { stack: ChaosStack } {
  const holder = {} as { stack: ChaosStack };
  beforeAll(async () => {
    holder.stack = await startChaosStack();
  }, 180_000);
  afterAll(async () => {
    await holder.stack.close();
  });
  return holder;
}

/** Runs the scenario with a short fault, prints its figures, and expects every non-timing check to hold. */
export async function expectSurvives(scenario: Scenario, stack: ChaosStack): Promise<void> {
  const lines: string[] = [];
  const result = await scenario.run(stack, {
    faultMs: 3000,
    steadyMs: 1500,
    log: (line) => lines.push(line),
  });
  printResult(result, (line) => lines.push(line));
  console.log(lines.join('\n'));
  const failed = result.checks.filter((c) => !c.ok && c.timing !== true).map((c) => `${c.name}: ${c.detail}`);
  expect(failed).toEqual([]);
}
