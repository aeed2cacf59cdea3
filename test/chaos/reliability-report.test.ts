// The reliability report's "Generated hostile input" section: figures from the route fuzz's part
// summaries (only the newest run's parts), or how to produce them when there are none.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readFuzzSummaries,
  renderReliabilityReport,
  type FuzzPartSummary,
} from '../../scripts/chaos/reliability-report.js';

const part = (n: number, overrides: Partial<FuzzPartSummary> = {}): FuzzPartSummary => ({
  part: n,
  parts: 2,
  operations: 28,
  passedOperations: 28,
  failed: [],
  skipped: [],
  statuses: { '2xx': 7000, '3xx': 0, '4xx': 21000, '5xx': 0 },
  casesPerOperation: 1000,
  totalCases: 28000,
  seed: 20261126,
  replay: 'FUZZ_SEED=20261126 FUZZ_RUNS=1000',
  date: `2026-11-26T18:0${n}:00.000Z`,
  ...overrides,
});

const render = (fuzz: FuzzPartSummary[]) =>
  renderReliabilityReport([], {
    command: 'npm run chaos -- --report',
    date: new Date(0),
    faultMs: 1,
    steadyMs: 1,
    fuzz,
  });

describe('the reliability report’s generated hostile input', () => {
  it('when both parts of a fuzz run are there, then their inputs and refusals are added up', () => {
    const report = render([part(1), part(2)]);
    expect(report).toContain('## Generated hostile input');
    expect(report).toContain('| operations fuzzed | 56 (in 2 of 2 parts) |');
    expect(report).toContain('| inputs tried | 56000 |');
    expect(report).toContain('| refused 4xx (problem+json, nothing changed) | 42000 |');
    expect(report).toContain('| server errors 5xx | 0 |');
    expect(report).toContain('| inputs tried (route fuzz) | 56000, of which refused 4xx: 42000, 5xx: 0 |');
  });

  it('when an older run with another seed left a part behind, then only the newest run counts', () => {
    const stale = part(1, { seed: 7, date: '2026-11-01T00:00:00.000Z', totalCases: 1 });
    const report = render([stale, part(2)]);
    expect(report).toContain('| operations fuzzed | 28 (in 1 of 2 parts) |');
    expect(report).toContain('| inputs tried | 28000 |');
  });

  it('when a part failed a property, then the operation is named', () => {
    const report = render([part(1, { failed: ['POST /api/scans'] }), part(2)]);
    expect(report).toContain('| operations failing a property | POST /api/scans |');
  });

  it('when there is no summary, then the section says how to produce one', () => {
    const report = render([]);
    expect(report).toContain('## Generated hostile input');
    expect(report).toContain('FUZZ_RUNS=1000 CI=true npx vitest run test/fuzz');
  });

  it('reads the part summaries a fuzz run wrote, and nothing else in the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azimuth-fuzz-summary-'));
    try {
      await writeFile(join(dir, 'part-1-of-2.json'), JSON.stringify(part(1)));
      await writeFile(join(dir, 'notes.json'), '{}');
      expect(readFuzzSummaries(dir)).toEqual([part(1)]);
      expect(readFuzzSummaries(join(dir, 'absent'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
