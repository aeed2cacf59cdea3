// Exposes every policy's breaker state and retry count on /metrics, labelled by dependency.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState, ResiliencePolicy } from './resilience-policy.js';

/** Gauge values: 0 closed, 1 half-open, 2 open, 3 isolated (forced open). */
export const breakerStateValue: Record<BreakerState, number> = {
  closed: 0,
  'half-open': 1,
  open: 2,
  isolated: 3,
};

export interface PolicyMetrics {
  /** Starts reporting a policy (call once per policy). */
  track(policy: ResiliencePolicy): void;
}

/** Registers `circuit_breaker_state` and `dependency_retries_total` in `registry` (once per registry). */
export function createPolicyMetrics(options: { registry: Registry }): PolicyMetrics {
  const policies = new Map<string, ResiliencePolicy>();
  new Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open, 3 isolated',
    labelNames: ['dependency'],
    registers: [options.registry],
    collect() {
      for (const [name, policy] of policies) this.set({ dependency: name }, breakerStateValue[policy.state]);
    },
  });
  const retries = new Counter({
    name: 'dependency_retries_total',
    help: 'Retries of calls to an external dependency',
    labelNames: ['dependency'],
    registers: [options.registry],
  });
  return {
    track(policy) {
      policies.set(policy.name, policy);
      retries.inc({ dependency: policy.name }, 0);
      policy.onRetry(() => retries.inc({ dependency: policy.name }));
    },
  };
}
