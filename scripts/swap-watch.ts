// `npm run swap-watch -- --resource-group RG --name APP --since <swap time, ISO>`: seed 004's
// watched swap, run by both CD pipelines right after production's smoke test. Every minute for
// 15 minutes it reads the API site's platform metrics (`az monitor metrics list`, `Requests` and
// `Http5xx`, total per minute) since the swap and decides:
//   - roll back: within the first 10 minutes, at least `minRequests` requests were served since
//     the swap and more than 5 % of them were 5xx. Exit 1: the pipeline's "Roll back" step (it
//     runs on failure after a successful swap) swaps the previous release back in.
//   - after minute 10 the release is no longer swapped back automatically (seed 004's window;
//     a slower regression is more likely a dependency than the release, and the 5xx alert pages):
//     a crossing then is reported as a warning in the log and the summary, the job goes on.
//   - a quiet site (fewer than `minRequests` requests since the swap) is never rolled back for a
//     rate it cannot measure: 1 error in 3 requests is no evidence.
//   - if no metrics answer arrived at all, the release was not watched: exit 1 (roll back),
//     because "held" could not be shown.
// The Azure query is injected, so the decision is rehearsed offline with recorded answers
// (test/delivery/swap-watch.test.ts). Metric names per Microsoft.Web/sites' supported metrics.
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';

export interface WatchPolicy {
  /** 5xx share above which the release is swapped back (seed 004: 5 %). */
  maxErrorRate: number;
  /** Minutes after the swap within which a crossing swaps back (seed 004: 10). */
  rollbackMinutes: number;
  /** Minutes the watch lasts (seed 004: 15). */
  watchMinutes: number;
  /** Requests since the swap below which no rate is judged. */
  minRequests: number;
}

export const seedPolicy: WatchPolicy = {
  maxErrorRate: 0.05,
  rollbackMinutes: 10,
  watchMinutes: 15,
  minRequests: 50,
};

/** The part of `az monitor metrics list -o json` the watch reads. */
export interface MetricsAnswer {
  value: {
    name: { value: string };
    timeseries: { data: { timeStamp: string; total?: number | null }[] }[];
  }[];
}

export interface Totals {
  requests: number;
  errors: number;
}

export type Verdict =
  | { kind: 'hold'; minute: number; totals: Totals }
  | { kind: 'roll back'; minute: number; totals: Totals }
  | { kind: 'late crossing'; minute: number; totals: Totals }
  | { kind: 'passed'; totals: Totals; quiet: boolean }
  | { kind: 'unwatched' };

/**
 * Totals of `Requests` and `Http5xx` from the minute of the swap on (a minute with no data point,
 * or one the platform has not aggregated yet, counts 0; the swap's own minute may hold a few of
 * the previous release's requests, which only dilutes the rate for that first minute).
 */
export function totalsSince(answer: MetricsAnswer, since: Date): Totals {
  const from = Math.floor(since.getTime() / 60_000) * 60_000;
  const sum = (metric: string) =>
    answer.value
      .filter((series) => series.name.value === metric)
      .flatMap((series) => series.timeseries.flatMap((t) => t.data))
      .filter((point) => Date.parse(point.timeStamp) >= from)
      .reduce((total, point) => total + (point.total ?? 0), 0);
  return { requests: sum('Requests'), errors: sum('Http5xx') };
}

const crossed = (totals: Totals, policy: WatchPolicy) =>
  totals.requests >= policy.minRequests && totals.errors / totals.requests > policy.maxErrorRate;

/** The decision at `minute` after the swap, from the totals since the swap (undefined: no answer). */
export function decide(minute: number, totals: Totals | undefined, policy: WatchPolicy): Verdict | undefined {
  if (!totals) return undefined;
  if (!crossed(totals, policy)) return { kind: 'hold', minute, totals };
  return minute <= policy.rollbackMinutes
    ? { kind: 'roll back', minute, totals }
    : { kind: 'late crossing', minute, totals };
}

export interface WatchDependencies {
  /** The metrics since the swap, as `az monitor metrics list` answers them. */
  query: (start: Date, end: Date) => Promise<MetricsAnswer>;
  /** Waits until the given time. */
  sleepUntil: (time: Date) => Promise<void>;
  log: (line: string) => void;
}

/** Watches minute by minute; returns at the first rollback or once the watch is over. */
export async function watch(since: Date, policy: WatchPolicy, deps: WatchDependencies): Promise<Verdict> {
  let last: Totals | undefined;
  let late: Verdict | undefined;
  for (let minute = 1; minute <= policy.watchMinutes; minute++) {
    const end = new Date(since.getTime() + minute * 60_000);
    await deps.sleepUntil(end);
    let totals: Totals | undefined;
    try {
      totals = totalsSince(await deps.query(since, end), since);
    } catch (error) {
      deps.log(`minute ${minute}: no metrics answer (${(error as Error).message}); trying again next minute`);
    }
    const verdict = decide(minute, totals, policy);
    if (!verdict || !totals) continue;
    last = totals;
    deps.log(`minute ${minute}: ${describe(totals)} → ${verdict.kind}`);
    if (verdict.kind === 'roll back') return verdict;
    if (verdict.kind === 'late crossing') late ??= verdict;
  }
  if (!last) return { kind: 'unwatched' };
  return late ?? { kind: 'passed', totals: last, quiet: last.requests < policy.minRequests };
}

const describe = (t: Totals) =>
  `${t.errors} 5xx of ${t.requests} requests (${t.requests ? ((100 * t.errors) / t.requests).toFixed(1) : '0.0'} %)`;

export function summary(verdict: Verdict): string {
  switch (verdict.kind) {
    case 'roll back':
      return `Swap watch: ${describe(verdict.totals)} by minute ${verdict.minute}: rolling back`;
    case 'late crossing':
      return `Swap watch: ${describe(verdict.totals)} at minute ${verdict.minute}, after the rollback window: kept, investigate`;
    case 'passed':
      return `Swap watch: held for the whole watch, ${describe(verdict.totals)}${verdict.quiet ? ' (too few requests to judge a rate)' : ''}`;
    case 'hold':
      return `Swap watch: holding at minute ${verdict.minute}`;
    case 'unwatched':
      return 'Swap watch: no metrics answer during the whole watch: the release is not shown to hold, rolling back';
  }
}

/** The real query: the site's platform metrics through the Azure CLI the pipeline logged in. */
export function azureQuery(resourceGroup: string, name: string): WatchDependencies['query'] {
  const run = promisify(execFile);
  return async (start, end) => {
    const { stdout } = await run('az', [
      'monitor',
      'metrics',
      'list',
      '--resource',
      name,
      '--resource-group',
      resourceGroup,
      '--resource-type',
      'Microsoft.Web/sites',
      '--metrics',
      'Requests',
      'Http5xx',
      '--aggregation',
      'Total',
      '--interval',
      'PT1M',
      '--start-time',
      start.toISOString(),
      '--end-time',
      end.toISOString(),
      '--output',
      'json',
    ]);
    return JSON.parse(stdout) as MetricsAnswer;
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'resource-group': { type: 'string' },
      name: { type: 'string' },
      since: { type: 'string' },
      'min-requests': { type: 'string' },
    },
  });
  const since = new Date(values.since ?? '');
  if (!values['resource-group'] || !values.name || Number.isNaN(since.getTime())) {
    throw new Error('usage: swap-watch --resource-group RG --name APP --since <ISO time of the swap>');
  }
  const policy = { ...seedPolicy, minRequests: Number(values['min-requests'] ?? seedPolicy.minRequests) };
  const verdict = await watch(since, policy, {
    query: azureQuery(values['resource-group'], values.name),
    sleepUntil: (time) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, time.getTime() - Date.now()))),
    log: (line) => console.log(line),
  });
  const line = summary(verdict);
  console.log(line);
  // GitHub's job summary, or Azure Pipelines' warning annotation.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `### ${line}\n`);
  if (verdict.kind === 'late crossing') {
    console.log(process.env.TF_BUILD ? `##vso[task.logissue type=warning]${line}` : `::warning::${line}`);
  }
  process.exitCode = verdict.kind === 'roll back' || verdict.kind === 'unwatched' ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
