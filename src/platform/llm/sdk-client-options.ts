// What every LLM SDK client (OpenAI, Azure OpenAI, Anthropic) is built with: no retries of its own,
// a timeout above the policy's, and its logging held to warnings and routed into ours.
import type { Logger } from '../telemetry/logger.js';
import { sdkTimeoutMs } from './llm-policy.js';
import { sdkLogger } from './sdk-logger.js';

export function sdkClientOptions(
  options: { timeoutMs: number; logger?: Logger },
  sdk: 'openai' | 'anthropic',
) {
  return {
    // The llm resilience policy is the one retry loop (seed 004's RETRY_CONFIG, counted by the
    // breaker); the SDK retrying underneath would multiply attempts and hide failures from it.
    maxRetries: 0,
    // For Anthropic, a timeout also spares the SDK's refusal of long non-streaming calls.
    timeout: sdkTimeoutMs(options.timeoutMs),
    // Explicit, so OPENAI_LOG/ANTHROPIC_LOG=debug cannot make the SDK print prompts.
    logLevel: 'warn' as const,
    ...(options.logger === undefined ? {} : { logger: sdkLogger(options.logger, sdk) }),
  };
}
