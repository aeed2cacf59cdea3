// The LLM toolkit: the LlmProvider port, its drivers (Azure OpenAI, OpenAI, Anthropic, none), the
// cost tracker, the `llm` policy and the factory that picks drivers from settings.
export * from './llm-provider.js';
export * from './llm-not-configured-error.js';
export * from './llm-configuration-error.js';
export * from './llm-output-invalid-error.js';
export * from './llm-audio-too-large-error.js';
export * from './llm-cost-tracker.js';
export * from './llm-policy.js';
export * from './llm-call-runner.js';
export * from './llm-health.js';
export * from './llm-structured-output.js';
export * from './openai-client.js';
export * from './azure-openai-client.js';
export * from './anthropic-client.js';
export * from './openai-llm-provider.js';
export * from './anthropic-llm-provider.js';
export * from './none-llm-provider.js';
export * from './split-llm-provider.js';
export * from './sdk-logger.js';
export * from './create-llm-provider.js';
