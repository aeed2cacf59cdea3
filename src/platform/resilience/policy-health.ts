// Turns a policy plus a cheap probe into a /health DependencyCheck that reports breaker state.
import type { CheckResult, DependencyCheck } from '../health/dependency-check.js';
import type { ResiliencePolicy } from './resilience-policy.js';

export interface PolicyCheckOptions {
  name: string;
  driver: string;
  required: boolean;
  policy: ResiliencePolicy;
  /** A cheap call proving the dependency answers (run through the breaker, without retries). */
  probe: (signal: AbortSignal) => Promise<void>;
  /** Extra facts for the details (container name, endpoint host…); never secrets. */
  details?: Record<string, unknown>;
}

/** What /health shows about a breaker. */
export function breakerDetails(policy: ResiliencePolicy): Record<string, unknown> {
  const remaining = policy.openRemainingMs();
  return { breaker: policy.state, ...(remaining > 0 ? { breakerRetryAfterMs: remaining } : {}) };
}

export function createPolicyCheck(options: PolicyCheckOptions): DependencyCheck {
  return {
    name: options.name,
    driver: options.driver,
    required: options.required,
    async check(signal: AbortSignal): Promise<CheckResult> {
      try {
        await options.policy.executeOnce(options.probe, signal);
        const details = { ...options.details, ...breakerDetails(options.policy) };
        return { status: options.policy.state === 'closed' ? 'healthy' : 'degraded', details };
      } catch (error) {
        return {
          status: 'unhealthy',
          error: error instanceof Error ? error.message : String(error),
          details: { ...options.details, ...breakerDetails(options.policy) },
        };
      }
    },
  };
}
