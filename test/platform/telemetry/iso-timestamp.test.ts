// The log line's time field: exactly what pino's isoTime writes, at every millisecond of a second
// and across the turn of a second.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { isoTimestamp } from '../../../src/platform/telemetry/iso-timestamp.js';

describe('isoTimestamp', () => {
  afterEach(() => vi.useRealTimers());

  it('when the clock moves through and past a second, then each stamp equals pino’s isoTime', () => {
    vi.useFakeTimers();
    const start = Date.UTC(2026, 10, 26, 23, 59, 59, 0);
    for (const offset of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 61_000, 86_400_000]) {
      vi.setSystemTime(start + offset);
      expect(isoTimestamp()).toBe(pino.stdTimeFunctions.isoTime());
    }
    vi.setSystemTime(start);
    expect(isoTimestamp()).toBe(',"time":"2026-11-26T23:59:59.000Z"');
  });
});
