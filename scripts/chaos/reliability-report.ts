// docs/reliability.md from a chaos run's results: one table of what each fault did to the load
// (requests, answers, recovery, lost writes), the checks each scenario made, and the command
// and date of the run, so the figures can be reproduced; and, when the route fuzz has left its
// summaries in reports/fuzz/, the hostile inputs it tried and how they were refused.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure, ScenarioResult } from './scenario.js';

/** What one part of the route fuzz (test/fuzz/fuzz-suite.ts) writes to reports/fuzz/part-N-of-M.json. */
export interface FuzzPartSummary {
  part: number;
  parts: number;
  operations: number;
  passedOperations: number;
  failed: string[];
  skipped: string[];
  statuses: Record<string, number>;
  casesPerOperation: number;
  totalCases: number;
  seed: number;
  replay: string;
  date: string;
}

const fuzzSummaryDir = fileURLToPath(new URL('../../reports/fuzz/', import.meta.url));

/** The fuzz summaries in `dir` (none when the fuzz has not run here). */
export function readFuzzSummaries(dir = fuzzSummaryDir): FuzzPartSummary[] {
  const files = (() => {
    try {
      return readdirSync(dir).filter((file) => /^part-\d+-of-\d+\.json$/.test(file));
    } catch {
      return [];
    }
  })();
  return files.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as FuzzPartSummary);
}

const cell = (value: Figure | undefined): string => {
  if (value === undefined) return '—';
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([key, count]) => `${key}: ${count}`)
      .join(', ');
  return String(value).replace(/\|/g, '\\|');
};

const recoveryOf = (figures: ScenarioResult['figures']): Figure | undefined =>
  figures.recoveryMs ??
  figures.healthyAfterMs ??
  figures.drainMs ??
  figures.deliveredAfterReadyMs ??
  figures.killToResultMs;

function summaryTable(results: readonly ScenarioResult[]): string[] {
  const rows = results.map((r) => {
    const passed = r.checks.filter((c) => c.ok).length;
    return `| ${r.fault} | ${cell(r.figures.requests)} | ${cell(r.figures.byStatus)} | ${cell(recoveryOf(r.figures))} | ${cell(r.figures.lostWrites)} | ${passed}/${r.checks.length} |`;
  });
  return [
    '| fault (one at a time, under load) | requests | answers | recovery, drain or takeover (ms) | lost writes | checks passed |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

function details(result: ScenarioResult): string[] {
  return [
    `### ${result.name}`,
    '',
    result.fault + '.',
    '',
    '| figure | value |',
    '| --- | --- |',
    ...Object.entries(result.figures).map(([name, value]) => `| ${name} | ${cell(value)} |`),
    '',
    ...result.checks.map(
      (c) => `- ${c.ok ? '✅' : '❌'} ${c.name}${c.timing ? ' _(timing)_' : ''}: ${cell(c.detail)}`,
    ),
    '',
  ];
}

const sum = (results: readonly ScenarioResult[], pick: (r: ScenarioResult) => Figure | undefined) =>
  results.reduce((total, r) => {
    const value = pick(r);
    return total + (typeof value === 'number' ? value : 0);
  }, 0);

/** Load held, faults survived, writes kept, refusals: the run in five lines. */
function glance(results: readonly ScenarioResult[], fuzz: readonly FuzzPartSummary[]): string[] {
  const survived = results.filter((r) => r.checks.every((c) => c.ok)).length;
  const statuses = (r: ScenarioResult) => (typeof r.figures.byStatus === 'object' ? r.figures.byStatus : {});
  return [
    '| measure | figure |',
    '| --- | --- |',
    `| load held | ${sum(results, (r) => r.figures.requests)} requests in ${results.length} scenarios |`,
    `| faults survived (every check held) | ${survived} of ${results.length} |`,
    `| acknowledged writes lost | ${sum(results, (r) => r.figures.lostWrites)} |`,
    `| refusals: 503 with Retry-After | ${sum(results, (r) => statuses(r)['503'])} |`,
    `| refusals: connection refused (no listener) | ${sum(results, (r) => statuses(r).refused)} |`,
    fuzz.length === 0
      ? '| inputs tried | no route fuzz summary yet (see "Generated hostile input") |'
      : `| inputs tried (route fuzz) | ${fuzz.reduce((n, s) => n + s.totalCases, 0)}, of which refused 4xx: ${fuzz.reduce((n, s) => n + (s.statuses['4xx'] ?? 0), 0)}, 5xx: ${fuzz.reduce((n, s) => n + (s.statuses['5xx'] ?? 0), 0)} |`,
  ];
}

/** The parts of the newest fuzz run: same seed, cases per operation and number of parts. */
export function newestRun(summaries: readonly FuzzPartSummary[]): FuzzPartSummary[] {
  const newest = [...summaries].sort((a, b) => b.date.localeCompare(a.date))[0];
  if (newest === undefined) return [];
  return summaries.filter(
    (s) =>
      s.seed === newest.seed && s.parts === newest.parts && s.casesPerOperation === newest.casesPerOperation,
  );
}

const fuzzCommand = 'FUZZ_RUNS=1000 CI=true npx vitest run test/fuzz';

/** Inputs tried and refusals, from one fuzz run's part summaries (how to produce them when absent). */
export function fuzzSection(parts: readonly FuzzPartSummary[]): string[] {
  const heading = ['## Generated hostile input', ''];
  if (parts.length === 0)
    return [
      ...heading,
      `No fuzz summary was found in \`reports/fuzz/\`: run \`${fuzzCommand}\` (CI's fixed seed, 1,000`,
      'requests per operation) and then this command again to add the inputs tried and their refusals.',
    ];
  const first = parts[0] as FuzzPartSummary;
  const total = (pick: (s: FuzzPartSummary) => number) => parts.reduce((sum, s) => sum + pick(s), 0);
  const status = (key: string) => total((s) => s.statuses[key] ?? 0);
  const failed = parts.flatMap((s) => s.failed);
  const skipped = parts.flatMap((s) => s.skipped);
  const dates = parts.map((s) => s.date).sort();
  return [
    ...heading,
    'Every operation of the OpenAPI document, sent requests generated from its own schemas, valid-looking',
    'and hostile (`test/fuzz/`). Each answer must be no 5xx, an error must be a problem+json with the',
    'correlation id, a 2xx must match its schema, and a refusal must leave every table, blob, file, event',
    'and job as it was.',
    '',
    '| measure | figure |',
    '| --- | --- |',
    `| operations fuzzed | ${total((s) => s.operations)} (in ${parts.length} of ${first.parts} parts) |`,
    `| requests per operation | ${first.casesPerOperation} |`,
    `| inputs tried | ${total((s) => s.totalCases)} |`,
    `| answered 2xx (accepted, schema-valid) | ${status('2xx')} |`,
    `| answered 3xx | ${status('3xx')} |`,
    `| refused 4xx (problem+json, nothing changed) | ${status('4xx')} |`,
    `| server errors 5xx | ${status('5xx')} |`,
    `| operations failing a property | ${failed.length === 0 ? 'none' : failed.join(', ')} |`,
    `| open findings (skipped) | ${skipped.length === 0 ? 'none' : skipped.join(', ')} |`,
    `| seed (replay with \`${first.replay}\`) | ${first.seed} |`,
    `| run | ${dates[0] ?? ''} to ${dates.at(-1) ?? ''} |`,
  ];
}

/** What is guaranteed about change events and audit records, and where the guarantee stops. */
const deliveryGuarantees = [
  '## Delivery guarantees: change events and audit records',
  '',
  '- **Stars on PostgreSQL/PGlite, recordings and scans**: a change and its events are written in one',
  '  transaction (`outbox` table, `src/platform/outbox/`). The relay in every API and worker process',
  '  publishes them at least once, in id order per channel (a per-channel advisory lock makes ids commit',
  "  in order), and deletes them once the bus has them. The bus keeps each event's outbox id as its",
  '  sequence and drops a publish whose sequence is not above the newest (a redelivery after a crash, a',
  '  lost reply, or a second relay), so SSE resume with Last-Event-ID and WebSocket progress see each',
  '  change once. An acknowledged change is never unannounced: a crash or a Redis outage only delays it.',
  '- **Stars on Table Storage**: no transaction can span a table entity and the SQL outbox. The event is',
  '  written to the outbox right after the entity, before the write is acknowledged; from then on the',
  '  guarantee above holds. A crash between the entity write and the outbox insert (milliseconds) leaves',
  '  a stored change unannounced: clients see it on their next read, never a phantom event.',
  '- **Audit records of blob operations and SAS links** are inserted before the operation is acknowledged',
  "  (grouped with the records of the same event-loop turn, one insert); a download's record is written",
  '  as its body ends. If the audit insert itself fails, the operation (already done) still succeeds and',
  '  the whole record is in the error log line.',
  '- **Cache invalidation** is done by the writer after the commit (not from events); a crash in between',
  '  leaves entries to their TTL.',
  '',
];

export function renderReliabilityReport(
  results: readonly ScenarioResult[],
  run: {
    command: string;
    date: Date;
    faultMs: number;
    steadyMs: number;
    /** The route fuzz's summaries; read from reports/fuzz/ when not given. */
    fuzz?: readonly FuzzPartSummary[];
  },
): string {
  const fuzz = newestRun(run.fuzz ?? readFuzzSummaries());
  return [
    '# Reliability report',
    '',
    `Generated by \`${run.command}\` on ${run.date.toISOString()} (each fault lasted ${run.faultMs} ms, with`,
    `${run.steadyMs} ms of steady load before and after). Do not edit by hand: run the command again.`,
    '',
    'Each scenario runs Azimuth as a deployment does: the `api` and `worker` roles of the CLI as separate',
    "processes on PostgreSQL, Redis and Azurite of the run's own (never the shared servers), an LLM",
    "stand-in speaking Azure OpenAI's wire format, and steady mixed traffic (star reads and writes, file",
    'reads and writes, an SSE client, a WebSocket client, recording uploads). One fault at a time.',
    '',
    ...glance(results, fuzz),
    '',
    ...summaryTable(results),
    '',
    'Checks marked _(timing)_ are speed figures: this command holds the run to them, the CI tests',
    '(`test/chaos/`, the same scenarios with 3 s faults) do not.',
    '',
    '## Scenarios',
    '',
    ...results.flatMap(details),
    ...deliveryGuarantees,
    ...fuzzSection(fuzz),
    '',
  ].join('\n');
}
