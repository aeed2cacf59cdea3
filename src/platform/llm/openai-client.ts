// The official OpenAI client, configured from settings only, with the SDK's own retries off.
import OpenAI from 'openai';
import type { Logger } from '../telemetry/logger.js';
import { sdkClientOptions } from './sdk-client-options.js';

export interface OpenAiClientOptions {
  apiKey: string;
  /** Default https://api.openai.com/v1. */
  baseUrl?: string;
  /** The SDK's own per-request timeout; see sdkTimeoutMs. */
  timeoutMs: number;
  /** Receives the SDK's own warnings (deprecations); never its debug output, which holds bodies. */
  logger?: Logger;
}

export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl ?? 'https://api.openai.com/v1',
    // Explicit nulls keep the SDK from reading OPENAI_ORG_ID and friends from the process environment:
    // settings are the only source of configuration.
    organization: null,
    project: null,
    webhookSecret: null,
    ...sdkClientOptions(options, 'openai'),
  });
}
