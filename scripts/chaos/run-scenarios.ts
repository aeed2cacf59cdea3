// Runs scenarios one after another on one stack, printing what each measured and checked. A
// scenario that throws is reported as failed, and the next one still runs.
import { startChaosStack } from './chaos-stack.js';
import type { Scenario, ScenarioOptions, ScenarioResult } from './scenario.js';

export interface RunOptions extends ScenarioOptions {
  scenarios: readonly Scenario[];
}

export function printResult(result: ScenarioResult, log: (line: string) => void): void {
  log(`\n== ${result.name}: ${result.fault}`);
  for (const [name, value] of Object.entries(result.figures))
    log(`   ${name.padEnd(24)} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  for (const c of result.checks)
    log(`   ${c.ok ? 'PASS' : 'FAIL'} ${c.name}${c.timing ? ' (timing)' : ''}: ${c.detail}`);
}

export async function runScenarios(options: RunOptions): Promise<ScenarioResult[]> {
  const stack = await startChaosStack();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of options.scenarios) {
      options.log(`\n-- ${scenario.name}`);
      const result = await scenario.run(stack, options).catch((error: unknown): ScenarioResult => ({
        name: scenario.name,
        fault: scenario.fault,
        figures: {},
        checks: [{ name: 'the scenario ran to its end', ok: false, detail: String(error) }],
      }));
      printResult(result, options.log);
      results.push(result);
    }
  } finally {
    await stack.close();
  }
  return results;
}
