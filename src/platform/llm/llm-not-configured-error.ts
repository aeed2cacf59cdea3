// Thrown by a capability no configured driver offers (LLM_PROVIDER=none, or transcription without a
// transcription driver). Never retried, and not an outage: stages check the capability first and skip.

export class LlmNotConfiguredError extends Error {
  readonly isLlmNotConfiguredError = true;
  readonly capability: 'transcribe' | 'complete';

  constructor(options: { capability: 'transcribe' | 'complete'; provider: string }) {
    super(
      options.capability === 'transcribe'
        ? `LLM provider "${options.provider}" cannot transcribe audio; set LLM_PROVIDER or LLM_TRANSCRIBE_PROVIDER to azure_openai or openai`
        : `LLM provider "${options.provider}" cannot complete chats; set LLM_PROVIDER to azure_openai, openai or anthropic`,
    );
    this.name = 'LlmNotConfiguredError';
    this.capability = options.capability;
  }
}

export const isLlmNotConfiguredError = (error: unknown): error is LlmNotConfiguredError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isLlmNotConfiguredError?: unknown }).isLlmNotConfiguredError === true;
