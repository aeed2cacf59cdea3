// Figures from the load's outcomes: how many requests, which answers, how fast, in which window.
import { byStatus, percentile, type Outcome } from './http-outcome.js';

export interface Window {
  from: number;
  to: number;
}

export const within = (outcomes: readonly Outcome[], window: Window, ops?: readonly string[]) =>
  outcomes.filter(
    (o) =>
      o.startedAt >= window.from && o.startedAt <= window.to && (ops === undefined || ops.includes(o.op)),
  );

export function loadFigures(outcomes: readonly Outcome[]) {
  return {
    requests: outcomes.length,
    byStatus: byStatus(outcomes),
    p95Ms: percentile(outcomes, 95),
    maxMs: percentile(outcomes, 100),
  };
}

/** Outcomes that are neither a success, a client error, nor a 503 that says when to come back. */
export const notFailingFast = (outcomes: readonly Outcome[]) =>
  outcomes.filter((o) => {
    if (typeof o.status !== 'number') return true;
    if (o.status < 500) return false;
    return o.status !== 503 || o.retryAfter === undefined;
  });

/** Ops whose outcomes include a 5xx or a wire failure. */
export const serverErrors = (outcomes: readonly Outcome[]) =>
  outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 500);

export const describe = (outcomes: readonly Outcome[]): string => JSON.stringify(byStatus(outcomes));
