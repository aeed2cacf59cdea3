// The /health entry `llm`: never required, never a paid call. It reports the breaker and the last
// call's outcome; an open or half-open circuit shows as degraded.
import type { CheckResult, DependencyCheck, DependencyStatus } from '../health/dependency-check.js';
import { breakerDetails } from '../resilience/policy-health.js';
import type { LlmCallRunner } from './llm-call-runner.js';

export function createLlmHealthCheck(options: {
  driver: string;
  runner: LlmCallRunner;
  /** Models, endpoint host, auth kind…; never secrets. */
  details?: Record<string, unknown>;
}): DependencyCheck {
  const { runner } = options;
  return {
    name: 'llm',
    driver: options.driver,
    required: false,
    check(): Promise<CheckResult> {
      const lastCall = runner.lastCall();
      return Promise.resolve({
        status: runner.policy.state === 'closed' ? 'healthy' : 'degraded',
        details: {
          ...options.details,
          ...breakerDetails(runner.policy),
          ...(lastCall === undefined ? {} : { lastCall }),
        },
      });
    },
  };
}

const rank: Record<DependencyStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** One `llm` entry for two drivers (transcription from one, chat from the other): the worse status wins. */
export function combineLlmHealthChecks(checks: {
  transcribe: DependencyCheck;
  complete: DependencyCheck;
}): DependencyCheck {
  return {
    name: 'llm',
    driver: `${checks.complete.driver}+${checks.transcribe.driver}`,
    required: false,
    async check(signal): Promise<CheckResult> {
      const [transcribe, complete] = await Promise.all([
        checks.transcribe.check(signal),
        checks.complete.check(signal),
      ]);
      const status = rank[transcribe.status] > rank[complete.status] ? transcribe.status : complete.status;
      return { status, details: { complete: complete.details, transcribe: transcribe.details } };
    },
  };
}
