// autocannon wrapper: requests per second and latency percentiles for one URL.
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Requests answered in the measured run. */
  total: number;
}

export async function load(
  url: string,
  options: { seconds?: number; connections?: number } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    duration: options.seconds ?? 5,
    connections: options.connections ?? 50,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export const ratio = (ours: number, baseline: number) => (baseline === 0 ? 0 : ours / baseline);

export function row(label: string, ours: LoadResult, baseline: LoadResult, target: number): string {
  const r = ratio(ours.requestsPerSecond, baseline.requestsPerSecond);
  return `${label.padEnd(28)} ${ours.requestsPerSecond.toFixed(0).padStart(7)} req/s vs ${baseline.requestsPerSecond
    .toFixed(0)
    .padStart(7)} bare → ratio ${r.toFixed(2)} (target ≥ ${target}) ${r >= target ? 'OK' : 'BELOW TARGET'}${
    ours.non2xx > 0 ? ` [${ours.non2xx} non-2xx!]` : ''
  }`;
}
