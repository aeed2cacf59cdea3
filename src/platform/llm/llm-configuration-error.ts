// A provider choice that cannot work (a driver without its endpoint or key, Anthropic asked to
// transcribe): thrown by createLlmProvider at start-up, its message starting with the setting to change.

/** Thrown at start-up for a provider choice that cannot work; names the setting to change. */
export class LlmConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmConfigurationError';
  }
}
