// A Redis command that failed because Redis cannot answer (the connection is down and the offline
// queue is off, the reply timed out, the server is loading or failing over) is an outage, not a bug:
// it leaves a port as the one outage error, DependencyUnavailableError (503 with Retry-After).
import { translatingOutages } from '../resilience/dependency-error.js';
import { networkCodeOf } from '../resilience/failure-classification.js';

/** What ioredis says when it cannot send or got no reply, and what Redis says while it cannot serve. */
const outageMessages =
  /Stream isn't writeable|Connection is closed|Command timed out|max retries per request|^(LOADING|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/i;

export function isRedisOutage(error: unknown): boolean {
  if (networkCodeOf(error) !== undefined) return true;
  return error instanceof Error && outageMessages.test(error.message);
}

/** Runs `fn`, rethrowing a Redis outage as DependencyUnavailableError (`redis`) and anything else unchanged. */
export function translatingRedisOutages<T>(fn: () => Promise<T>): Promise<T> {
  return translatingOutages('redis', fn, isRedisOutage);
}
