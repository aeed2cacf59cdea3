// Picks the LLM drivers from configuration (seed 004: "the choice is configuration, not code"):
// one policy, call runner and health entry per driver, one cost tracker for all of them.
import type { TokenCredential } from '@azure/core-auth';
import type { Registry } from 'prom-client';
import type { Settings } from '../config/settings-schema.js';
import type { PolicyMetrics } from '../resilience/policy-metrics.js';
import { policySettingsOf, type PolicySettingNames } from '../resilience/policy-settings.js';
import type { Logger } from '../telemetry/logger.js';
import { createAnthropicClient } from './anthropic-client.js';
import { createAnthropicLlmProvider } from './anthropic-llm-provider.js';
import { azureOpenAiAuthOf, createAzureOpenAiClient } from './azure-openai-client.js';
import { LlmConfigurationError } from './llm-configuration-error.js';
import { createLlmCallRunner, type LlmCallRunner } from './llm-call-runner.js';
import { createLlmCostTracker, type LlmCostTracker, type LlmPrices } from './llm-cost-tracker.js';
import { createLlmPolicy, type LlmResilienceOptions } from './llm-policy.js';
import type { LlmProvider, LlmProviderName, LlmTaskModels } from './llm-provider.js';
import { createNoneLlmProvider } from './none-llm-provider.js';
import { createOpenAiClient } from './openai-client.js';
import { createOpenAiLlmProvider } from './openai-llm-provider.js';
import { splitLlmProvider } from './split-llm-provider.js';

export type LlmTranscribeProviderName = 'azure_openai' | 'openai';

export interface LlmProviderOptions {
  /** LLM_PROVIDER: who completes chats (and transcribes, unless transcribeProvider says otherwise). */
  provider: LlmProviderName;
  /** LLM_TRANSCRIBE_PROVIDER: who transcribes when it is not `provider`; required with anthropic. */
  transcribeProvider?: LlmTranscribeProviderName;
  azureOpenAi: {
    endpoint?: string;
    apiKey?: string;
    apiVersion: string;
    /** AZURE_OPENAI_DEPLOYMENT_NAME (Whisper). */
    transcriptionDeployment?: string;
    /** AZURE_OPENAI_CHAT_DEPLOYMENT. */
    chatDeployment?: string;
    /** AZURE_OPENAI_LABEL_DEPLOYMENT: reads label photos (default: the chat deployment). */
    labelDeployment?: string;
    /** Overrides DefaultAzureCredential for the managed-identity path. */
    credential?: TokenCredential;
  };
  openAi: {
    apiKey?: string;
    baseUrl?: string;
    transcribeModel: string;
    chatModel: string;
    labelModel?: string;
  };
  anthropic: { apiKey?: string; baseUrl?: string; model: string; labelModel?: string };
  resilience: LlmResilienceOptions;
  prices: LlmPrices;
}

export interface LlmProviderDeps {
  logger: Logger;
  /** Where the cost and duration metrics go (the app's /metrics registry). */
  registry: Registry;
  /** When given, the llm policies' breaker state and retries are exported on /metrics. */
  policyMetrics?: PolicyMetrics;
}

export function llmOptionsFromSettings(
  settings: Pick<
    Settings,
    | 'LLM_PROVIDER'
    | 'LLM_TRANSCRIBE_PROVIDER'
    | 'AZURE_OPENAI_ENDPOINT'
    | 'AZURE_OPENAI_API_KEY'
    | 'AZURE_OPENAI_API_VERSION'
    | 'AZURE_OPENAI_DEPLOYMENT_NAME'
    | 'AZURE_OPENAI_CHAT_DEPLOYMENT'
    | 'AZURE_OPENAI_LABEL_DEPLOYMENT'
    | 'OPENAI_API_KEY'
    | 'OPENAI_BASE_URL'
    | 'OPENAI_TRANSCRIBE_MODEL'
    | 'OPENAI_CHAT_MODEL'
    | 'OPENAI_LABEL_MODEL'
    | 'ANTHROPIC_API_KEY'
    | 'ANTHROPIC_BASE_URL'
    | 'ANTHROPIC_MODEL'
    | 'ANTHROPIC_LABEL_MODEL'
    | PolicySettingNames<'LLM'>
    | 'LLM_PRICES'
  >,
): LlmProviderOptions {
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return {
    provider: settings.LLM_PROVIDER,
    ...(settings.LLM_TRANSCRIBE_PROVIDER === undefined
      ? {}
      : { transcribeProvider: settings.LLM_TRANSCRIBE_PROVIDER }),
    azureOpenAi: defined({
      endpoint: settings.AZURE_OPENAI_ENDPOINT,
      apiKey: settings.AZURE_OPENAI_API_KEY,
      apiVersion: settings.AZURE_OPENAI_API_VERSION,
      transcriptionDeployment: settings.AZURE_OPENAI_DEPLOYMENT_NAME,
      chatDeployment: settings.AZURE_OPENAI_CHAT_DEPLOYMENT,
      labelDeployment: settings.AZURE_OPENAI_LABEL_DEPLOYMENT,
    }),
    openAi: defined({
      apiKey: settings.OPENAI_API_KEY,
      baseUrl: settings.OPENAI_BASE_URL,
      transcribeModel: settings.OPENAI_TRANSCRIBE_MODEL,
      chatModel: settings.OPENAI_CHAT_MODEL,
      labelModel: settings.OPENAI_LABEL_MODEL,
    }),
    anthropic: defined({
      apiKey: settings.ANTHROPIC_API_KEY,
      baseUrl: settings.ANTHROPIC_BASE_URL,
      model: settings.ANTHROPIC_MODEL,
      labelModel: settings.ANTHROPIC_LABEL_MODEL,
    }),
    resilience: policySettingsOf(settings, 'LLM'),
    prices: settings.LLM_PRICES,
  };
}

interface DriverRole {
  transcribe: boolean;
  complete: boolean;
}

/** Tasks whose model differs from the driver's chat model (only label reading, today). */
const optionalTaskModels = (labelModel: string | undefined): { taskModels?: LlmTaskModels } =>
  labelModel === undefined || labelModel === '' ? {} : { taskModels: { 'label-reading': labelModel } };

function required(value: string | undefined, setting: string, driver: string): string {
  if (value === undefined || value === '')
    throw new LlmConfigurationError(`${setting}: the ${driver} LLM provider needs it`);
  return value;
}

function createDriver(
  driver: Exclude<LlmProviderName, 'none'>,
  role: DriverRole,
  options: LlmProviderOptions,
  shared: { costs: LlmCostTracker; deps: LlmProviderDeps; policyName: string },
): LlmProvider {
  const policy = createLlmPolicy({ ...options.resilience, name: shared.policyName });
  shared.deps.policyMetrics?.track(policy);
  const runner: LlmCallRunner = createLlmCallRunner({
    provider: driver,
    policy,
    costs: shared.costs,
    logger: shared.deps.logger,
  });
  const { timeoutMs } = options.resilience;
  if (driver === 'azure_openai') {
    const azure = options.azureOpenAi;
    const endpoint = required(azure.endpoint, 'AZURE_OPENAI_ENDPOINT', driver);
    return createOpenAiLlmProvider({
      name: driver,
      client: createAzureOpenAiClient({
        endpoint,
        apiVersion: azure.apiVersion,
        ...(azure.apiKey === undefined ? {} : { apiKey: azure.apiKey }),
        ...(azure.credential === undefined ? {} : { credential: azure.credential }),
        timeoutMs,
        logger: shared.deps.logger,
      }),
      ...(role.transcribe
        ? { transcribeModel: required(azure.transcriptionDeployment, 'AZURE_OPENAI_DEPLOYMENT_NAME', driver) }
        : {}),
      ...(role.complete
        ? {
            chatModel: required(azure.chatDeployment, 'AZURE_OPENAI_CHAT_DEPLOYMENT', driver),
            ...optionalTaskModels(azure.labelDeployment),
          }
        : {}),
      runner,
      costs: shared.costs,
      details: {
        endpoint: new URL(endpoint).host,
        auth: azureOpenAiAuthOf(azure),
        apiVersion: azure.apiVersion,
      },
    });
  }
  if (driver === 'openai') {
    const openAi = options.openAi;
    return createOpenAiLlmProvider({
      name: driver,
      client: createOpenAiClient({
        apiKey: required(openAi.apiKey, 'OPENAI_API_KEY', driver),
        ...(openAi.baseUrl === undefined ? {} : { baseUrl: openAi.baseUrl }),
        timeoutMs,
        logger: shared.deps.logger,
      }),
      ...(role.transcribe ? { transcribeModel: openAi.transcribeModel } : {}),
      ...(role.complete ? { chatModel: openAi.chatModel, ...optionalTaskModels(openAi.labelModel) } : {}),
      runner,
      costs: shared.costs,
      ...(openAi.baseUrl === undefined ? {} : { details: { baseUrl: openAi.baseUrl } }),
    });
  }
  const anthropic = options.anthropic;
  return createAnthropicLlmProvider({
    client: createAnthropicClient({
      apiKey: required(anthropic.apiKey, 'ANTHROPIC_API_KEY', driver),
      ...(anthropic.baseUrl === undefined ? {} : { baseUrl: anthropic.baseUrl }),
      timeoutMs,
      logger: shared.deps.logger,
    }),
    model: anthropic.model,
    ...optionalTaskModels(anthropic.labelModel),
    runner,
    costs: shared.costs,
    ...(anthropic.baseUrl === undefined ? {} : { details: { baseUrl: anthropic.baseUrl } }),
  });
}

/**
 * The LlmProvider the settings describe. Throws LlmConfigurationError for a choice that cannot
 * work (anthropic without LLM_TRANSCRIBE_PROVIDER, a driver without its endpoint or key), so a bad
 * configuration stops the process at start-up rather than failing the first recording.
 */
export function createLlmProvider(options: LlmProviderOptions, deps: LlmProviderDeps): LlmProvider {
  const chat = options.provider;
  if (chat === 'anthropic' && options.transcribeProvider === undefined)
    throw new LlmConfigurationError(
      'LLM_TRANSCRIBE_PROVIDER: LLM_PROVIDER=anthropic cannot transcribe audio; set LLM_TRANSCRIBE_PROVIDER to azure_openai or openai',
    );
  const transcribe = options.transcribeProvider ?? (chat === 'anthropic' ? undefined : chat);
  if (chat === 'none' && (transcribe === undefined || transcribe === 'none')) return createNoneLlmProvider();
  const costs = createLlmCostTracker({
    prices: options.prices,
    registry: deps.registry,
    logger: deps.logger,
  });

  if (transcribe === chat && chat !== 'none')
    return createDriver(chat, { transcribe: true, complete: true }, options, {
      costs,
      deps,
      policyName: 'llm',
    });
  const completer =
    chat === 'none'
      ? createNoneLlmProvider()
      : createDriver(chat, { transcribe: false, complete: true }, options, {
          costs,
          deps,
          policyName: 'llm',
        });
  const transcriber =
    transcribe === undefined || transcribe === 'none'
      ? createNoneLlmProvider()
      : createDriver(transcribe, { transcribe: true, complete: false }, options, {
          costs,
          deps,
          // Its own breaker: an outage of the chat provider must not stop transcription, and back.
          policyName: chat === 'none' ? 'llm' : 'llm-transcribe',
        });
  return splitLlmProvider({ transcriber, completer });
}
