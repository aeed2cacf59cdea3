// The Anthropic driver (chat only: Anthropic has no transcription API). Structured output is a
// forced tool call whose input_schema is the schema: the API returns the tool input as parsed JSON,
// it works on every Claude model and endpoint, and no prose or code fences have to be stripped.
// Images go as `image` blocks (base64 or URL source); each task may name its own model.
import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { TObject } from 'typebox';
import type { LlmCallRunner } from './llm-call-runner.js';
import type { LlmCostTracker } from './llm-cost-tracker.js';
import { createLlmHealthCheck } from './llm-health.js';
import { LlmNotConfiguredError } from './llm-not-configured-error.js';
import type {
  CompleteOptions,
  LlmContentPart,
  LlmMessage,
  LlmProvider,
  LlmTaskModels,
} from './llm-provider.js';
import { checkStructuredOutput, jsonSchemaOf } from './llm-structured-output.js';

export interface AnthropicLlmProviderOptions {
  client: Anthropic;
  model: string;
  /** Tasks on another model than `model`. */
  taskModels?: LlmTaskModels;
  runner: LlmCallRunner;
  costs: LlmCostTracker;
  details?: Record<string, unknown>;
}

function contentBlock(part: LlmContentPart): ContentBlockParam {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if ('url' in part) return { type: 'image', source: { type: 'url', url: part.url } };
  return {
    type: 'image',
    source: { type: 'base64', media_type: part.contentType, data: part.data.toString('base64') },
  };
}

export function toAnthropicMessages(messages: LlmMessage[]): { system: string; turns: MessageParam[] } {
  const system: string[] = [];
  const turns: MessageParam[] = [];
  for (const message of messages) {
    // Anthropic takes system text beside the conversation, not as a turn.
    if (message.role === 'system') system.push(message.content);
    else
      turns.push({
        role: message.role,
        content: typeof message.content === 'string' ? message.content : message.content.map(contentBlock),
      });
  }
  return { system: system.join('\n\n'), turns };
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
      const { system, turns } = toAnthropicMessages(messages);
      const taskModel = options.taskModels?.[completeOptions.task ?? 'summary'] ?? model;
      const response = await runner.run(
        { operation: 'complete', model: taskModel, signal: completeOptions.signal },
        (signal) =>
          client.messages.create(
            {
              model: taskModel,
              max_tokens: completeOptions.maxTokens ?? 4096,
              ...(system === '' ? {} : { system }),
              messages: turns,
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
      const answerModel = response.model || taskModel;
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
    health: createLlmHealthCheck({
      driver: name,
      runner,
      details: {
        ...options.details,
        chatModel: model,
        ...(options.taskModels === undefined ? {} : { taskModels: options.taskModels }),
      },
    }),
    close() {
      return Promise.resolve();
    },
  };
}
