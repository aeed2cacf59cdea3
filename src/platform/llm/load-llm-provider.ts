// The composition root's way in: with no provider configured, the `none` provider, and none of
// the three SDKs is even imported; otherwise the factory, loaded on demand. Anthropic models the SDK
// announces as retiring are warned about here, once, at start-up.
import type { Settings } from '../config/settings-schema.js';
import type { LlmProvider } from './llm-provider.js';
import type { LlmProviderDeps } from './create-llm-provider.js';
import { loadRetiringAnthropicModels, warnAboutRetiringModels } from './anthropic-model-retirement.js';
import { createNoneLlmProvider } from './none-llm-provider.js';

export async function loadLlmProvider(settings: Settings, deps: LlmProviderDeps): Promise<LlmProvider> {
  if (settings.LLM_PROVIDER === 'none' && settings.LLM_TRANSCRIBE_PROVIDER === undefined)
    return createNoneLlmProvider();
  const { createLlmProvider, llmOptionsFromSettings } = await import('./create-llm-provider.js');
  const provider = createLlmProvider(llmOptionsFromSettings(settings), deps);
  if (settings.LLM_PROVIDER === 'anthropic')
    warnAboutRetiringModels({
      models: {
        ANTHROPIC_MODEL: settings.ANTHROPIC_MODEL,
        ANTHROPIC_LABEL_MODEL: settings.ANTHROPIC_LABEL_MODEL,
      },
      retiring: await loadRetiringAnthropicModels(),
      logger: deps.logger,
    });
  return provider;
}
