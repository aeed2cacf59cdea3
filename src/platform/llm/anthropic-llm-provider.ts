// The Anthropic driver (chat only: Anthropic has no transcription API). Structured output is a
// forced tool call whose input_schema is the schema: the API returns the tool input as parsed JSON,
// it works on every Claude model and endpoint, and no prose or code fences have to be stripped.
import type Anthropic from '@anthropic-ai/sdk';
import type { TObject } from 'typebox';
import type { LlmCallRunner } from './llm-call-runner.js';
import type { LlmCostTracker } from './llm-cost-tracker.js';
import { createLlmHealthCheck } from './llm-health.js';
import { LlmNotConfiguredError } from './llm-not-configured-error.js';
import type { CompleteOptions, LlmMessage, LlmProvider } from './llm-provider.js';
import { checkStructuredOutput, jsonSchemaOf } from './llm-structured-output.js';

export interface AnthropicLlmProviderOptions {
  client: Anthropic;
  model: string;
  runner: LlmCallRunner;
  costs: LlmCostTracker;
  details?: Record<string, unknown>;
}

export function createAnthropicLlmProvider(options: AnthropicLlmProviderOptions): LlmProvider {
  const { client, model, runner, costs } = options;
  const name = 'anthropic';
  return {
    name,
    capabilities: { transcribe: false, complete: true },
    transcribe() {
      return Promise.reject(new LlmNotConfiguredError({ capability: 'transcribe', provider: name }));
    },
    async complete<T extends TObject>(messages: LlmMessage[], completeOptions: CompleteOptions<T>) {
      const { schema, schemaName } = completeOptions;
      // Anthropic takes system text beside the conversation, not as a turn.
      const system = messages
        .filter((message) => message.role === 'system')
        .map((message) => message.content)
        .join('\n\n');
      const response = await runner.run(
        { operation: 'complete', model, signal: completeOptions.signal },
        (signal) =>
          client.messages.create(
            {
              model,
              max_tokens: completeOptions.maxTokens ?? 4096,
              ...(system === '' ? {} : { system }),
              messages: messages.flatMap((message) =>
                message.role === 'system' ? [] : [{ role: message.role, content: message.content }],
              ),
              tools: [
                {
                  name: schemaName,
                  description: `Records the answer. Call it exactly once with the complete answer as its input.`,
                  input_schema: { ...jsonSchemaOf(schema), type: 'object' },
                },
              ],
              tool_choice: { type: 'tool', name: schemaName },
            },
            { signal },
          ),
      );
      const answerModel = response.model || model;
      const inputTokens = response.usage.input_tokens;
      const outputTokens = response.usage.output_tokens;
      const cost = costs.record({ provider: name, model: answerModel, inputTokens, outputTokens });
      const call = response.content.find((block) => block.type === 'tool_use' && block.name === schemaName);
      const value = checkStructuredOutput({
        schema,
        schemaName,
        cost,
        answer:
          call === undefined || call.type !== 'tool_use'
            ? { kind: 'missing', reason: `the model did not call the ${schemaName} tool` }
            : response.stop_reason === 'max_tokens'
              ? { kind: 'missing', reason: 'the answer was cut off at the token limit' }
              : { kind: 'value', value: call.input },
      });
      return { value, model: answerModel, usage: { inputTokens, outputTokens }, cost };
    },
    health: createLlmHealthCheck({ driver: name, runner, details: { ...options.details, chatModel: model } }),
    close() {
      return Promise.resolve();
    },
  };
}
