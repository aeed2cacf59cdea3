// Runs every call of a BlobStore through the storage resilience policy (timeout, retries,
// breaker), so both drivers get the same behaviour under failure, and an outage leaves as the one
// DependencyUnavailableError (503 with Retry-After), so no module wraps its storage calls.
import { Readable } from 'node:stream';
import { toDependencyError, translatingOutages } from '../resilience/dependency-error.js';
import type { ExecuteOptions, ResiliencePolicy } from '../resilience/resilience-policy.js';
import type { BlobStore } from './blob-store.js';

const combine = (a: AbortSignal | undefined, b: AbortSignal): AbortSignal =>
  a === undefined ? b : AbortSignal.any([a, b]);

export function withResilience(store: BlobStore, options: { policy: ResiliencePolicy }): BlobStore {
  const policy = outageTranslating(options.policy);
  return {
    driver: store.driver,
    defaultContainer: store.defaultContainer,

    upload(ref, body, uploadOptions = {}) {
      const run = (signal: AbortSignal) =>
        store.upload(ref, body, { ...uploadOptions, signal: combine(uploadOptions.signal, signal) });
      // A stream is consumed by the first attempt and cannot be replayed, so it gets one attempt
      // (still through the breaker) and no timeout: its duration is the client's, not Azure's.
      // Buffers are replayable and get the full policy.
      if (body instanceof Readable)
        return policy.execute(run, uploadOptions.signal, { retry: false, timeout: false });
      return policy.execute(run, uploadOptions.signal);
    },
    // Retried up to the response headers; the body then streams outside the policy.
    download: (ref, o = {}) =>
      policy.execute((signal) => store.download(ref, { ...o, signal: combine(o.signal, signal) }), o.signal),
    downloadBuffer: (ref, o = {}) =>
      policy.execute(
        (signal) => store.downloadBuffer(ref, { ...o, signal: combine(o.signal, signal) }),
        o.signal,
      ),
    exists: (ref, o = {}) =>
      policy.execute((signal) => store.exists(ref, { signal: combine(o.signal, signal) }), o.signal),
    head: (ref, o = {}) =>
      policy.execute((signal) => store.head(ref, { signal: combine(o.signal, signal) }), o.signal),
    delete: (ref, o = {}) =>
      policy.execute((signal) => store.delete(ref, { signal: combine(o.signal, signal) }), o.signal),
    list: (container, o = {}) =>
      policy.execute(
        (signal) => store.list(container, { ...o, signal: combine(o.signal, signal) }),
        o.signal,
      ),
    url: (ref) => store.url(ref),
    // Signing is local CPU work; the one network call (a user delegation key under managed
    // identity, about weekly) runs through the policy inside the Azure driver.
    // No async frame: the link usually comes back already resolved, and only a failure needs work.
    sasUrl: (ref, sas) =>
      store.sasUrl(ref, sas).catch((error: unknown) => {
        throw toDependencyError(error, options.policy.name) ?? error;
      }),
    // Health probes answer quickly: one attempt, through the breaker.
    ping: (container, signal) =>
      policy.execute((s) => store.ping(container, combine(signal, s)), signal, { retry: false }),
  };
}

/** The policy, with every failure that is an outage translated as it leaves. */
function outageTranslating(policy: ResiliencePolicy): Pick<ResiliencePolicy, 'execute'> {
  return {
    execute: <T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, o?: ExecuteOptions) =>
      translatingOutages(policy.name, () => policy.execute(fn, signal, o)),
  };
}
