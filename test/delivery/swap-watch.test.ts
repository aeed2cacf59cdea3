// The watched swap's decision, rehearsed offline: each fixture is a recorded answer of
// `az monitor metrics list --metrics Requests Http5xx --aggregation Total --interval PT1M` at the
// end of the watch; the fake query answers each minute with what the platform would have
// aggregated by then (one minute of ingestion delay), and the watch is run against it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decide,
  seedPolicy,
  summary,
  totalsSince,
  watch,
  type MetricsAnswer,
  type WatchPolicy,
} from '../../scripts/swap-watch.js';

const swappedAt = new Date('2026-12-08T02:00:20Z');

const recorded = (name: string): MetricsAnswer =>
  JSON.parse(readFileSync(`test/fixtures/swap-watch/${name}.json`, 'utf8')) as MetricsAnswer;

/** What the platform answers at `end`: buckets aggregated a minute after they close. */
function answerAt(full: MetricsAnswer, end: Date): MetricsAnswer {
  return {
    value: full.value.map((series) => ({
      ...series,
      timeseries: series.timeseries.map((t) => ({
        data: t.data.filter((point) => Date.parse(point.timeStamp) < end.getTime() - 60_000),
      })),
    })),
  };
}

async function rehearse(name: string, policy: WatchPolicy = seedPolicy, failing: number[] = []) {
  const full = recorded(name);
  const queried: number[] = [];
  const log: string[] = [];
  const verdict = await watch(swappedAt, policy, {
    query: (start, end) => {
      const minute = (end.getTime() - start.getTime()) / 60_000;
      queried.push(minute);
      if (failing.includes(minute)) return Promise.reject(new Error('AuthorizationFailed'));
      return Promise.resolve(answerAt(full, end));
    },
    sleepUntil: () => Promise.resolve(),
    log: (line) => log.push(line),
  });
  return { verdict, queried, log };
}

describe('the swap watch (seed 004: 5xx above 5 % within 10 minutes rolls back; watch 15)', () => {
  it('a healthy busy release holds for all 15 minutes', async () => {
    const { verdict, queried } = await rehearse('healthy');
    expect(verdict).toMatchObject({ kind: 'passed', quiet: false });
    expect(queried).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('a bad release is rolled back at the minute its 5xx share since the swap passes 5 %', async () => {
    const { verdict, queried, log } = await rehearse('bad-release');
    expect(verdict).toMatchObject({ kind: 'roll back', minute: 6 });
    expect(queried).toHaveLength(6);
    expect(log.at(-1)).toMatch(/^minute 6: 111 5xx of 2212 requests \(5\.0 %\) → roll back$/);
    expect(summary(verdict)).toMatch(/rolling back/);
  });

  it('a quiet site with one early 5xx is not rolled back: too few requests to judge', async () => {
    const { verdict } = await rehearse('quiet');
    expect(verdict).toMatchObject({ kind: 'passed', quiet: true });
    // The minimum is what protects it: without one, the first minute's 1 of 1 rolls back.
    const strict = await rehearse('quiet', { ...seedPolicy, minRequests: 0 });
    expect(strict.verdict).toMatchObject({ kind: 'roll back', minute: 1 });
  });

  it('a crossing after minute 10 is reported but not swapped back automatically', async () => {
    const { verdict, queried } = await rehearse('late-regression');
    expect(verdict).toMatchObject({ kind: 'late crossing', minute: 12 });
    expect(queried).toHaveLength(15);
    expect(summary(verdict)).toMatch(/after the rollback window/);
    // The same surge inside the window would have rolled back.
    const wider = await rehearse('late-regression', { ...seedPolicy, rollbackMinutes: 15 });
    expect(wider.verdict).toMatchObject({ kind: 'roll back', minute: 12 });
  });

  it('a failed query is tried again the next minute; no answer at all is a failed watch', async () => {
    const retried = await rehearse('bad-release', seedPolicy, [5, 6]);
    expect(retried.verdict).toMatchObject({ kind: 'roll back', minute: 7 });
    expect(retried.log.some((line) => /minute 5: no metrics answer \(AuthorizationFailed\)/.test(line))).toBe(
      true,
    );
    const blind = await rehearse(
      'healthy',
      seedPolicy,
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(blind.verdict).toEqual({ kind: 'unwatched' });
  });

  it('counts from the minute of the swap on and treats unaggregated minutes as none', () => {
    const full = recorded('bad-release');
    expect(totalsSince(full, swappedAt)).toEqual({ requests: 5455, errors: 507 });
    expect(totalsSince(full, new Date('2026-12-08T02:05:00Z'))).toEqual({ requests: 3641, errors: 447 });
  });

  it('decides on the threshold exactly: 5 % holds, above it rolls back', () => {
    expect(decide(3, { requests: 100, errors: 5 }, seedPolicy)?.kind).toBe('hold');
    expect(decide(3, { requests: 100, errors: 6 }, seedPolicy)?.kind).toBe('roll back');
    expect(decide(10, { requests: 100, errors: 6 }, seedPolicy)?.kind).toBe('roll back');
    expect(decide(11, { requests: 100, errors: 6 }, seedPolicy)?.kind).toBe('late crossing');
    expect(decide(3, { requests: 49, errors: 40 }, seedPolicy)?.kind).toBe('hold');
    expect(decide(3, undefined, seedPolicy)).toBeUndefined();
  });

  it('keeps seed 004 numbers', () => {
    expect(seedPolicy).toMatchObject({ maxErrorRate: 0.05, rollbackMinutes: 10, watchMinutes: 15 });
  });
});
