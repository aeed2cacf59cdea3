// The official Anthropic client, configured from settings only, with the SDK's own retries off.
import Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../telemetry/logger.js';
import { sdkTimeoutMs } from './llm-policy.js';
import { sdkLogger } from './sdk-logger.js';

export interface AnthropicClientOptions {
  apiKey: string;
  /** Default https://api.anthropic.com. */
  baseUrl?: string;
  timeoutMs: number;
  /** Receives the SDK's own warnings (deprecations); never its debug output, which holds bodies. */
  logger?: Logger;
}

export function createAnthropicClient(options: AnthropicClientOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    // Explicit values keep the SDK from reading ANTHROPIC_* variables or profile files: settings are
    // the only source of configuration.
    authToken: null,
    baseURL: options.baseUrl ?? 'https://api.anthropic.com',
    webhookKey: null,
    // The llm resilience policy is the one retry loop (seed 004's RETRY_CONFIG, counted by the
    // breaker); the SDK retrying underneath would multiply attempts and hide failures from it.
    maxRetries: 0,
    // Also spares the SDK's refusal of long non-streaming calls, which applies only without a timeout.
    timeout: sdkTimeoutMs(options.timeoutMs),
    // Explicit, so OPENAI_LOG/ANTHROPIC_LOG=debug cannot make the SDK print prompts.
    logLevel: 'warn',
    ...(options.logger === undefined ? {} : { logger: sdkLogger(options.logger, 'anthropic') }),
  });
}
