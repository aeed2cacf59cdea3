// The /health entry for blob storage: name `storage`, driver `azure` or `disk`, the container,
// and for Azure the breaker state, probed with one cheap call through the policy.
import type { CheckResult, DependencyCheck } from '../health/dependency-check.js';
import { createPolicyCheck } from '../resilience/policy-health.js';
import type { ResiliencePolicy } from '../resilience/resilience-policy.js';
import type { BlobStore } from './blob-store.js';

export interface StorageHealthOptions {
  /** The undecorated driver: the policy is applied here, once, without retries. */
  store: BlobStore;
  container: string;
  /** The storage policy (Azure); the disk driver has none. */
  policy?: ResiliencePolicy;
  required?: boolean;
}

export function createStorageHealthCheck(options: StorageHealthOptions): DependencyCheck {
  const { store, container, policy } = options;
  const required = options.required ?? true;
  const probe = (signal: AbortSignal) => store.ping(container, signal);
  if (policy !== undefined)
    return createPolicyCheck({
      name: 'storage',
      driver: store.driver,
      required,
      policy,
      probe,
      details: { container },
    });
  return {
    name: 'storage',
    driver: store.driver,
    required,
    async check(signal): Promise<CheckResult> {
      try {
        await probe(signal);
        return { status: 'healthy', details: { container } };
      } catch (error) {
        return {
          status: 'unhealthy',
          error: error instanceof Error ? error.message : String(error),
          details: { container },
        };
      }
    },
  };
}
