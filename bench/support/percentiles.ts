// p50/p99 of a sample, for the benches that measure latency.
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
