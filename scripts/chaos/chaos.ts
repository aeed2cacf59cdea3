// `npm run chaos`: runs every chaos scenario (or `--only a,b`) against Azimuth's real processes and
// prints what each measured. `--report` also writes docs/reliability.md from this run's figures.
// Exit 1 when a check failed. Each scenario stops by itself within a minute.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { renderReliabilityReport } from './reliability-report.js';
import { runScenarios } from './run-scenarios.js';
import { scenarios } from './scenarios/index.js';

const { values } = parseArgs({
  options: {
    report: { type: 'boolean', default: false },
    only: { type: 'string' },
    'fault-ms': { type: 'string', default: '10000' },
    'steady-ms': { type: 'string', default: '5000' },
  },
});
const only = values.only?.split(',');
const chosen = scenarios.filter((s) => only === undefined || only.includes(s.name));
const faultMs = Number(values['fault-ms']);
const steadyMs = Number(values['steady-ms']);
const log = (line: string) => process.stdout.write(`${line}\n`);

const started = new Date();
const results = await runScenarios({ scenarios: chosen, faultMs, steadyMs, log });
const failed = results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.name}: ${c.name}`));
log(
  `\n${results.length} scenarios in ${Math.round((Date.now() - started.getTime()) / 1000)} s; ${failed.length} checks failed`,
);
for (const line of failed) log(`  FAIL ${line}`);
if (values.report) {
  const command = ['npm run chaos --', ...process.argv.slice(2)].join(' ');
  const file = new URL('../../docs/reliability.md', import.meta.url);
  const text = renderReliabilityReport(results, { command, date: started, faultMs, steadyMs });
  // Formatted as `npm run lint` checks it, so a regenerated report never fails the lint.
  await writeFile(file, await format(text, { ...(await resolveConfig(file)), parser: 'markdown' }));
  log('wrote docs/reliability.md');
}
process.exitCode = failed.length === 0 ? 0 : 1;
