// The embedded default (LLM_PROVIDER=none): no capability, nothing called, every use a typed error.
import type { CheckResult } from '../health/dependency-check.js';
import { LlmNotConfiguredError } from './llm-not-configured-error.js';
import type { LlmProvider } from './llm-provider.js';

export function createNoneLlmProvider(): LlmProvider {
  const name = 'none';
  return {
    name,
    capabilities: { transcribe: false, complete: false },
    transcribe: () => Promise.reject(new LlmNotConfiguredError({ capability: 'transcribe', provider: name })),
    complete: () => Promise.reject(new LlmNotConfiguredError({ capability: 'complete', provider: name })),
    health: {
      name: 'llm',
      driver: name,
      required: false,
      check: (): Promise<CheckResult> =>
        Promise.resolve({ status: 'healthy', details: { configured: false } }),
    },
    close: () => Promise.resolve(),
  };
}
