// Builds LLM providers the way the composition root does (settings → options → factory), pointed at
// the local stand-in, with a capturing logger and a fresh metrics registry per provider.
import type { TokenCredential } from '@azure/core-auth';
import { Registry } from 'prom-client';
import {
  createLlmProvider,
  llmOptionsFromSettings,
  type LlmProvider,
  type LlmResilienceOptions,
} from '../../../src/platform/llm/index.js';
import { createPolicyMetrics } from '../../../src/platform/resilience/index.js';
import { createCapturingLogger, type LogLine } from '../../helpers/fakes.js';
import type { LlmStandIn } from '../../helpers/llm-stand-in.js';
import { testSettings } from '../../helpers/test-settings.js';

export type Flavour = 'azure_openai' | 'azure_openai_identity' | 'openai' | 'anthropic';

export interface LlmFixture {
  provider: LlmProvider;
  registry: Registry;
  lines: LogLine[];
  /** Scopes the fake managed identity was asked for (azure_openai_identity only). */
  tokenScopes: string[];
}

export function settingsFor(standIn: LlmStandIn, flavour: Flavour): Record<string, string> {
  const azure = {
    AZURE_OPENAI_ENDPOINT: `${standIn.url}/`,
    AZURE_OPENAI_DEPLOYMENT_NAME: 'whisper',
    AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o-mini',
  };
  const openAi = { OPENAI_API_KEY: standIn.options.openAiApiKey, OPENAI_BASE_URL: standIn.openAiBaseUrl };
  switch (flavour) {
    case 'azure_openai':
      return { LLM_PROVIDER: 'azure_openai', ...azure, AZURE_OPENAI_API_KEY: standIn.options.azureApiKey };
    case 'azure_openai_identity':
      return { LLM_PROVIDER: 'azure_openai', ...azure };
    case 'openai':
      return { LLM_PROVIDER: 'openai', ...openAi };
    case 'anthropic':
      return {
        LLM_PROVIDER: 'anthropic',
        LLM_TRANSCRIBE_PROVIDER: 'openai',
        ANTHROPIC_API_KEY: standIn.options.anthropicApiKey,
        ANTHROPIC_BASE_URL: standIn.url,
        // Not seed 004's claude-sonnet-4-5-20250929: the SDK console.warns on every call that it is
        // deprecated (end of life November 30th, 2026). Same price by prefix.
        ANTHROPIC_MODEL: 'claude-sonnet-4-5-test',
        ...openAi,
      };
  }
}

export async function makeLlm(
  standIn: LlmStandIn,
  flavour: Flavour,
  overrides: { resilience?: Partial<LlmResilienceOptions>; settings?: Record<string, string> } = {},
): Promise<LlmFixture> {
  const settings = await testSettings({ ...settingsFor(standIn, flavour), ...overrides.settings });
  const options = llmOptionsFromSettings(settings);
  const tokenScopes: string[] = [];
  const credential: TokenCredential = {
    getToken(scopes) {
      tokenScopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
      return Promise.resolve({
        token: standIn.options.azureBearerToken,
        expiresOnTimestamp: Date.now() + 3_600_000,
      });
    },
  };
  const registry = new Registry();
  const { logger, lines } = createCapturingLogger();
  const provider = createLlmProvider(
    {
      ...options,
      azureOpenAi: { ...options.azureOpenAi, credential },
      // No jitter and a 1 ms base, so retries are immediate unless the server asks for a wait.
      resilience: { ...options.resilience, random: () => 0, retryBaseMs: 1, ...overrides.resilience },
    },
    { logger, registry, policyMetrics: createPolicyMetrics({ registry }) },
  );
  return { provider, registry, lines, tokenScopes };
}
