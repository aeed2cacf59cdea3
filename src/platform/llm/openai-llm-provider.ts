// The OpenAI driver, also serving Azure OpenAI (AzureOpenAI is the same client with other URLs and
// auth): transcription (verbose_json from Whisper, json from the gpt-4o transcribe models), chat completions with a strict json_schema answer,
// images as `image_url` parts (a data: URL for inline bytes), a model (or deployment) per task.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { toFile, type OpenAI } from 'openai';
import type { TranscriptionVerbose } from 'openai/resources/audio/transcriptions';
import type {
  ChatCompletion,
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { Static, TObject } from 'typebox';
import type { LlmCallRunner } from './llm-call-runner.js';
import type { LlmCostTracker } from './llm-cost-tracker.js';
import { createLlmHealthCheck } from './llm-health.js';
import { LlmAudioTooLargeError } from './llm-audio-too-large-error.js';
import { LlmNotConfiguredError } from './llm-not-configured-error.js';
import {
  MAX_TRANSCRIPTION_UPLOAD_BYTES,
  type AudioInput,
  type CompleteOptions,
  type Completion,
  type LlmContentPart,
  type LlmMessage,
  type LlmProvider,
  type LlmTaskModels,
  type TranscribeOptions,
  type Transcription,
} from './llm-provider.js';
import { checkStructuredOutput, jsonSchemaOf, type RawAnswer } from './llm-structured-output.js';
import { transcriptionResponseFormat } from './transcription-response-format.js';

export interface OpenAiLlmProviderOptions {
  name: 'openai' | 'azure_openai';
  client: OpenAI;
  /** The transcription model (OpenAI) or deployment (Azure); without it the driver cannot transcribe. */
  transcribeModel?: string;
  /** The chat model (OpenAI) or deployment (Azure); without it the driver cannot complete. */
  chatModel?: string;
  /** Tasks on another model than chatModel (label reading on gpt-4o, say). */
  taskModels?: LlmTaskModels;
  runner: LlmCallRunner;
  costs: LlmCostTracker;
  /** Shown on /health (endpoint host, auth kind); never secrets. */
  details?: Record<string, unknown>;
}

/** A transcription as json (text) or verbose_json (with duration, language and segments). */
type TranscriptionResult = { text: string } & Partial<
  Pick<TranscriptionVerbose, 'duration' | 'language' | 'segments'>
>;

async function audioSizeBytes(audio: AudioInput): Promise<number> {
  return Buffer.isBuffer(audio.data) ? audio.data.length : (await stat(audio.data.path)).size;
}

function contentPart(part: LlmContentPart): ChatCompletionContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url = 'url' in part ? part.url : `data:${part.contentType};base64,${part.data.toString('base64')}`;
  // `high`: a label's small print is what the model has to read.
  return { type: 'image_url', image_url: { url, detail: 'high' } };
}

export function toOpenAiMessage(message: LlmMessage): ChatCompletionMessageParam {
  if (message.role === 'system') return { role: 'system', content: message.content };
  if (message.role === 'assistant')
    return {
      role: 'assistant',
      content:
        typeof message.content === 'string'
          ? message.content
          : message.content.flatMap((part) => (part.type === 'text' ? [part] : [])),
    };
  return {
    role: 'user',
    content: typeof message.content === 'string' ? message.content : message.content.map(contentPart),
  };
}

async function transcribe(
  options: OpenAiLlmProviderOptions,
  audio: AudioInput,
  transcribeOptions: TranscribeOptions,
): Promise<Transcription> {
  const { client, runner, costs, transcribeModel, name } = options;
  if (transcribeModel === undefined)
    throw new LlmNotConfiguredError({ capability: 'transcribe', provider: name });
  const sizeBytes = await audioSizeBytes(audio);
  if (sizeBytes > MAX_TRANSCRIPTION_UPLOAD_BYTES)
    throw new LlmAudioTooLargeError({
      filename: audio.filename,
      sizeBytes,
      limitBytes: MAX_TRANSCRIPTION_UPLOAD_BYTES,
    });
  const response: TranscriptionResult = await runner.run(
    { operation: 'transcribe', model: transcribeModel, signal: transcribeOptions.signal },
    async (signal) => {
      // A fresh file per attempt: a stream consumed by a failed attempt cannot be sent again.
      const source = Buffer.isBuffer(audio.data) ? audio.data : createReadStream(audio.data.path);
      const file = await toFile(source, audio.filename, { type: audio.contentType });
      return client.audio.transcriptions.create(
        {
          file,
          model: transcribeModel,
          response_format: transcriptionResponseFormat(transcribeModel),
          ...(transcribeOptions.language === undefined ? {} : { language: transcribeOptions.language }),
          ...(transcribeOptions.prompt === undefined ? {} : { prompt: transcribeOptions.prompt }),
        },
        { signal },
      );
    },
  );
  // Typed as a number, but OpenAI-compatible servers differ; a missing duration prices as 0.
  const duration: unknown = response.duration;
  const durationSeconds = typeof duration === 'number' && Number.isFinite(duration) ? duration : undefined;
  const audioSeconds = durationSeconds ?? 0;
  const cost = costs.record({ provider: name, model: transcribeModel, audioSeconds });
  return {
    text: response.text,
    ...(response.language ? { language: response.language } : {}),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    segments: (response.segments ?? []).map((segment) => ({
      start: segment.start,
      end: segment.end,
      text: segment.text,
    })),
    model: transcribeModel,
    usage: { audioSeconds },
    cost,
  };
}

/** Why a chat answer holds no JSON to check, or its text. */
function answerOf(choice: ChatCompletion.Choice | undefined): RawAnswer {
  if (choice === undefined) return { kind: 'missing', reason: 'the response has no choices' };
  if (choice.message.refusal) return { kind: 'missing', reason: 'the model refused to answer' };
  if (choice.finish_reason === 'length')
    return { kind: 'missing', reason: 'the answer was cut off at the token limit' };
  return { kind: 'json-text', text: choice.message.content };
}

async function complete<T extends TObject>(
  options: OpenAiLlmProviderOptions,
  messages: LlmMessage[],
  completeOptions: CompleteOptions<T>,
): Promise<Completion<Static<T>>> {
  const { client, runner, costs, chatModel, name } = options;
  if (chatModel === undefined) throw new LlmNotConfiguredError({ capability: 'complete', provider: name });
  const taskModel = options.taskModels?.[completeOptions.task ?? 'summary'] ?? chatModel;
  const response = await runner.run(
    { operation: 'complete', model: taskModel, signal: completeOptions.signal },
    (signal) =>
      client.chat.completions.create(
        {
          model: taskModel,
          messages: messages.map(toOpenAiMessage),
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: completeOptions.schemaName,
              schema: jsonSchemaOf(completeOptions.schema),
              strict: true,
            },
          },
          max_completion_tokens: completeOptions.maxTokens ?? 4096,
        },
        { signal },
      ),
  );
  const model = response.model || taskModel;
  const inputTokens = response.usage?.prompt_tokens ?? 0;
  const outputTokens = response.usage?.completion_tokens ?? 0;
  const cost = costs.record({ provider: name, model, inputTokens, outputTokens });
  const value = checkStructuredOutput({
    schema: completeOptions.schema,
    schemaName: completeOptions.schemaName,
    cost,
    answer: answerOf(response.choices[0]),
  });
  return { value, model, usage: { inputTokens, outputTokens }, cost };
}

export function createOpenAiLlmProvider(options: OpenAiLlmProviderOptions): LlmProvider {
  const { runner, transcribeModel, chatModel, name } = options;
  return {
    name,
    capabilities: { transcribe: transcribeModel !== undefined, complete: chatModel !== undefined },
    transcribe: (audio, transcribeOptions = {}) => transcribe(options, audio, transcribeOptions),
    complete: (messages, completeOptions) => complete(options, messages, completeOptions),
    health: createLlmHealthCheck({
      driver: name,
      runner,
      details: {
        ...options.details,
        ...(transcribeModel === undefined ? {} : { transcribeModel }),
        ...(chatModel === undefined ? {} : { chatModel }),
        ...(options.taskModels === undefined ? {} : { taskModels: options.taskModels }),
      },
    }),
    close() {
      // The SDK holds no connections of its own beyond fetch's keep-alive pool.
      return Promise.resolve();
    },
  };
}
