// A test logger keeps lines for its test only when that test can read some back (issue 13: the
// silent fuzz app kept every line it wrote for the secret scan, and its heap grew with each request).
import { describe, expect, it } from 'vitest';
import { showsAnyLine, shownAt } from './collected-logs.js';

describe('showsAnyLine', () => {
  it('when the test asked for silent, then no line can be read back, so none is kept', () => {
    expect(showsAnyLine('silent')).toBe(false);
    expect(['fatal', 'error', 'warn', 'info'].some((line) => shownAt('silent', line))).toBe(false);
  });

  it('when the test asked for a level, then lines at it are kept', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) {
      expect(showsAnyLine(level)).toBe(true);
      expect(shownAt(level, level)).toBe(true);
    }
  });
});
