// Azure OpenAI through the official SDK's AzureOpenAI client: an API key when one is configured,
// else a managed-identity bearer token (seed 004: "no API keys stored for these services").
import { DefaultAzureCredential, getBearerTokenProvider } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { AzureOpenAI } from 'openai';
import type { Logger } from '../telemetry/logger.js';
import { sdkClientOptions } from './sdk-client-options.js';

/** The scope Azure OpenAI accepts Entra ID tokens for. */
export const cognitiveServicesScope = 'https://cognitiveservices.azure.com/.default';

export interface AzureOpenAiClientOptions {
  /** https://{resource}.openai.azure.com */
  endpoint: string;
  apiVersion: string;
  /** AZURE_OPENAI_API_KEY; when absent the client authenticates with `credential`. */
  apiKey?: string;
  /** Overrides DefaultAzureCredential (tests, or a specific user-assigned identity). */
  credential?: TokenCredential;
  timeoutMs: number;
  /** Receives the SDK's own warnings (deprecations); never its debug output, which holds bodies. */
  logger?: Logger;
}

export type AzureOpenAiAuth = 'api-key' | 'managed-identity';

export const azureOpenAiAuthOf = (options: { apiKey?: string }): AzureOpenAiAuth =>
  options.apiKey === undefined || options.apiKey === '' ? 'managed-identity' : 'api-key';

export function createAzureOpenAiClient(options: AzureOpenAiClientOptions): AzureOpenAI {
  const auth =
    azureOpenAiAuthOf(options) === 'api-key'
      ? { apiKey: options.apiKey }
      : {
          azureADTokenProvider: getBearerTokenProvider(
            options.credential ?? new DefaultAzureCredential(),
            cognitiveServicesScope,
          ),
        };
  return new AzureOpenAI({
    // baseURL rather than `endpoint`, so the SDK never falls back to OPENAI_BASE_URL from the
    // process environment: settings are the only source of configuration.
    baseURL: `${options.endpoint.replace(/\/+$/, '')}/openai`,
    apiVersion: options.apiVersion,
    ...auth,
    organization: null,
    project: null,
    webhookSecret: null,
    ...sdkClientOptions(options, 'openai'),
  });
}
