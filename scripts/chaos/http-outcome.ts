// One HTTP call as the chaos load sees it: a status, or what went wrong on the wire. Refused
// connections (nobody listening) are told apart from resets and hangs, because only a connection
// the kernel accepted and then dropped counts as a failed request.
export type WireFailure = 'refused' | 'reset' | 'timeout' | 'error';

export interface Outcome {
  /** Which operation: `read`, `write`, `file-read`, `file-write`, `upload`, … */
  op: string;
  startedAt: number;
  ms: number;
  status: number | WireFailure;
  retryAfter?: string;
}

export interface CallResult {
  outcome: Outcome;
  body?: string;
  headers?: Headers;
}

export function wireFailureOf(error: unknown): WireFailure {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  return 'error';
}

/** fetch with a deadline; never throws. `timeoutMs` is the "never hangs" bound. */
export async function call(
  op: string,
  url: string,
  init: RequestInit = {},
  timeoutMs = 15_000,
): Promise<CallResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const done = (status: Outcome['status'], retryAfter?: string | null): Outcome => ({
    op,
    startedAt,
    ms: Math.round((performance.now() - started) * 10) / 10,
    status,
    ...(retryAfter === undefined || retryAfter === null ? {} : { retryAfter }),
  });
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return {
      outcome: done(response.status, response.headers.get('retry-after')),
      body,
      headers: response.headers,
    };
  } catch (error) {
    return { outcome: done(wireFailureOf(error)) };
  }
}

/** Counts by status (`200`, `503`, `reset`, …). */
export function byStatus(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of outcomes) counts[String(status)] = (counts[String(status)] ?? 0) + 1;
  return counts;
}

export const isServerError = (outcome: Outcome): boolean =>
  typeof outcome.status === 'number' && outcome.status >= 500;

/** Percentile of the durations, in ms (0 when empty). */
export function percentile(outcomes: readonly Outcome[], p: number): number {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
