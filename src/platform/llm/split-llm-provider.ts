// One provider made of two: chat from one driver (Anthropic, say) and transcription from another
// (LLM_TRANSCRIBE_PROVIDER), so modules still see a single port.
import { combineLlmHealthChecks } from './llm-health.js';
import type { LlmProvider } from './llm-provider.js';

export function splitLlmProvider(options: { transcriber: LlmProvider; completer: LlmProvider }): LlmProvider {
  const { transcriber, completer } = options;
  return {
    name: `${completer.name}+${transcriber.name}`,
    capabilities: {
      transcribe: transcriber.capabilities.transcribe,
      complete: completer.capabilities.complete,
    },
    transcribe: (audio, transcribeOptions) => transcriber.transcribe(audio, transcribeOptions),
    complete: (messages, completeOptions) => completer.complete(messages, completeOptions),
    health: combineLlmHealthChecks({ transcribe: transcriber.health, complete: completer.health }),
    async close() {
      await Promise.all([transcriber.close(), completer.close()]);
    },
  };
}
