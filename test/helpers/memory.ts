// Memory bounds for streaming tests: a bound on memory, never a timing assertion.

/** Runs `fn` while sampling RSS; returns the peak growth over the RSS at the start. */
export async function peakRssGrowth(fn: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}
