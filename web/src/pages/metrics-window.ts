// Turns two cumulative /metrics/summary samples into what happened between them: request rate
// and latency percentiles (read off the histogram buckets' differences).
export interface MetricsSummary {
  at: string;
  requests: { total: number; errors: number; buckets: { le: number; count: number }[] };
  connections: { sse: number; ws: number };
  queue: { driver: string; waiting: number | null; active: number | null };
  breakers: { dependency: string; state: string }[];
}

/** The smallest bucket bound under which `q` of the window's requests fell (seconds). */
export function percentile(buckets: { le: number; count: number }[], q: number): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const found = buckets.find((b) => b.count >= q * total);
  return found === undefined || found.le >= 1e9 ? (buckets.at(-2)?.le ?? null) : found.le;
}

export function windowOf(previous: MetricsSummary, current: MetricsSummary) {
  const seconds = Math.max(0.001, (Date.parse(current.at) - Date.parse(previous.at)) / 1000);
  const before = new Map(previous.requests.buckets.map((b) => [b.le, b.count]));
  const delta = current.requests.buckets.map((b) => ({ le: b.le, count: b.count - (before.get(b.le) ?? 0) }));
  const ms = (value: number | null) => (value === null ? null : value * 1000);
  return {
    rate: (current.requests.total - previous.requests.total) / seconds,
    p50: ms(percentile(delta, 0.5)),
    p95: ms(percentile(delta, 0.95)),
    p99: ms(percentile(delta, 0.99)),
  };
}
