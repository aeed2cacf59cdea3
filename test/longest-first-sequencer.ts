// Runs the longest test files first, so the two workers finish together. On a fresh clone vitest
// knows no durations and starts larger files first, which puts the route fuzz (small files that
// run ~2 minutes each) last, alone on one worker.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files known to take minutes, longest first. */
const longest = ['test/fuzz/', 'test/chaos/', 'test/delivery/package-rehearsal'];

const rank = (spec: TestSpecification) => {
  const at = longest.findIndex((prefix) => spec.moduleId.includes(`/${prefix}`));
  return at === -1 ? longest.length : at;
};

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
