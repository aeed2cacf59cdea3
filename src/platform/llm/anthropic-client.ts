// The official Anthropic client, configured from settings only, with the SDK's own retries off.
import Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../telemetry/logger.js';
import { sdkClientOptions } from './sdk-client-options.js';

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
    ...sdkClientOptions(options, 'anthropic'),
  });
}
