// Runs one provider call through its policy, times it, logs its outline (never prompts or
// transcripts) and remembers the last outcome, which /health reports instead of calling a paid API.
// Every driver's calls pass here, so this is where an outage (unreachable, 5xx or 429 after the
// retries, an open breaker) becomes the one DependencyUnavailableError naming the dependency.
import { translatingOutages } from '../resilience/dependency-error.js';
import type { ResiliencePolicy } from '../resilience/resilience-policy.js';
import { statusOf } from '../resilience/failure-classification.js';
import type { Logger } from '../telemetry/logger.js';
import type { LlmCostTracker } from './llm-cost-tracker.js';

export type LlmOperation = 'transcribe' | 'complete';

export interface LastLlmCall {
  operation: LlmOperation;
  model: string;
  outcome: 'success' | 'error';
  /** ISO time the call ended. */
  at: string;
  /** The error's class and status when it failed; never its message, which may quote the input. */
  error?: string;
}

export interface LlmCallRunner {
  readonly provider: string;
  readonly policy: ResiliencePolicy;
  lastCall(): LastLlmCall | undefined;
  run<R>(
    call: { operation: LlmOperation; model: string; signal?: AbortSignal },
    fn: (signal: AbortSignal) => Promise<R>,
  ): Promise<R>;
}

/** A short, content-free description of a failure: its class name and HTTP status. */
export function describeLlmError(error: unknown): string {
  const name =
    error instanceof Error ? (error.name === 'Error' ? error.constructor.name : error.name) : typeof error;
  const status = statusOf(error);
  return status === undefined ? name : `${name} (status ${status})`;
}

export function createLlmCallRunner(options: {
  provider: string;
  policy: ResiliencePolicy;
  costs: LlmCostTracker;
  logger: Logger;
  /** Wall clock for `lastCall.at`; Date.now by default. */
  now?: () => number;
}): LlmCallRunner {
  const { provider, policy, costs, logger } = options;
  const now = options.now ?? Date.now;
  let last: LastLlmCall | undefined;
  policy.onRetry((event) => {
    logger.warn(
      { provider, attempt: event.attempt, delayMs: event.delayMs, error: describeLlmError(event.error) },
      'LLM call failed; retrying',
    );
  });
  return {
    provider,
    policy,
    lastCall: () => last,
    async run(call, fn) {
      const started = performance.now();
      const finish = (outcome: 'success' | 'error', error?: unknown) => {
        const seconds = (performance.now() - started) / 1000;
        costs.observeCall({ provider, operation: call.operation, outcome, seconds });
        last = {
          operation: call.operation,
          model: call.model,
          outcome,
          at: new Date(now()).toISOString(),
          ...(error === undefined ? {} : { error: describeLlmError(error) }),
        };
        const fields = { provider, operation: call.operation, model: call.model, durationMs: seconds * 1000 };
        if (outcome === 'success') logger.info(fields, 'LLM call');
        else logger.warn({ ...fields, error: last.error }, 'LLM call failed');
      };
      // lastCall and the log keep the original error's class; the caller gets the outage error.
      return translatingOutages(
        policy.name,
        async () => {
          try {
            const result = await policy.execute(fn, call.signal);
            finish('success');
            return result;
          } catch (error) {
            finish('error', error);
            throw error;
          }
        },
        (error) => policy.isRetryable(error),
      );
    },
  };
}
