// Runs every Table Storage call of the stars driver through the storage resilience policy, like
// blob calls: per-attempt timeout, retries with jittered backoff on transient failures only (never
// on 404, 409 or 412), a breaker; and an outage leaves as the one DependencyUnavailableError.
import type { TableClient } from '@azure/data-tables';
import { translatingOutages } from '../../platform/resilience/dependency-error.js';
import type { ResiliencePolicy } from '../../platform/resilience/resilience-policy.js';

/** The TableClient calls the store makes that send one request each. */
const singleRequests = new Set<PropertyKey>([
  'createTable',
  'getEntity',
  'createEntity',
  'updateEntity',
  'upsertEntity',
  'deleteEntity',
]);

type AsyncIteratorLike = AsyncIterator<unknown> & AsyncIterable<unknown>;

export function withTableResilience(client: TableClient, policy: ResiliencePolicy): TableClient {
  // The SDK calls keep their own signatures; the policy's per-attempt signal is not threaded into
  // them, so a timed-out attempt is abandoned (its answer ignored) rather than aborted.
  const run = <T>(fn: () => Promise<T>) => translatingOutages(policy.name, () => policy.execute(() => fn()));
  const pages = (iterator: AsyncIteratorLike): AsyncIteratorLike => ({
    next: () => run(() => iterator.next()),
    [Symbol.asyncIterator]() {
      return this;
    },
  });
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (singleRequests.has(property))
        return (...args: unknown[]) => run(() => method.apply(target, args) as Promise<unknown>);
      if (property === 'listEntities')
        return (...args: unknown[]) => {
          const listed = method.apply(target, args) as { byPage(settings?: unknown): AsyncIteratorLike };
          return { ...listed, byPage: (settings?: unknown) => pages(listed.byPage(settings)) };
        };
      return method.bind(target);
    },
  });
}
