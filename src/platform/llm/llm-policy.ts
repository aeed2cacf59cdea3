// The `llm` resilience policy: seed 004's RETRY_CONFIG (3 retries from 1 s, doubling, on 429, 500,
// 502, 503, honouring Retry-After), plus 408/504, lost connections and timeouts; a circuit breaker.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { isRetryable } from '../resilience/failure-classification.js';
import { policyOptionsOf, type PolicySettings } from '../resilience/policy-settings.js';
import { createPolicy, type ResiliencePolicy } from '../resilience/resilience-policy.js';
import { isLlmAudioTooLargeError } from './llm-audio-too-large-error.js';
import { isLlmNotConfiguredError } from './llm-not-configured-error.js';
import { isLlmOutputInvalidError } from './llm-output-invalid-error.js';

/** LLM_TIMEOUT_MS, LLM_RETRY_* and LLM_BREAKER_*. */
export interface LlmResilienceOptions extends PolicySettings {
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
}

/**
 * The SDKs' connection errors carry no status and, in the OpenAI SDK, no distinctive `name`, so
 * they are recognised by class; everything with a status falls to the shared classification
 * (408, 429, 500, 502, 503, 504 retried; 400, 401, 403, 404, 422 not).
 */
export function classifyLlmError(error: unknown): boolean | undefined {
  if (error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError) return false;
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError)
    return true;
  if (isLlmOutputInvalidError(error) || isLlmNotConfiguredError(error) || isLlmAudioTooLargeError(error))
    return false;
  return isRetryable(error);
}

/**
 * The SDK's timeout sits above the policy's, so the policy's typed OperationTimeoutError is what a
 * slow call ends with; the SDK's is only a backstop.
 */
export const sdkTimeoutMs = (policyTimeoutMs: number) => policyTimeoutMs + 5_000;

export function createLlmPolicy(options: LlmResilienceOptions & { name?: string }): ResiliencePolicy {
  return createPolicy({
    ...policyOptionsOf(options.name ?? 'llm', options),
    classify: classifyLlmError,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
}
