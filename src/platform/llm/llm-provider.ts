// The LLM port: transcribe one audio file (Whisper) and complete a conversation (text, and images for
// reading labels) into a value of a given JSON schema, each task on its own model. Drivers: Azure
// OpenAI, OpenAI, Anthropic (chat only) and none (the embedded default).
import type { Static, TObject } from 'typebox';
import type { DependencyCheck } from '../health/dependency-check.js';

/**
 * Largest audio file one transcription call accepts (the Whisper API's 25 MB limit). The recordings
 * pipeline splits longer recordings (ffmpeg) into pieces below it and transcribes them one by one.
 */
export const MAX_TRANSCRIPTION_UPLOAD_BYTES = 25 * 1024 * 1024;

export type LlmProviderName = 'none' | 'azure_openai' | 'openai' | 'anthropic';

export interface AudioInput {
  /**
   * The bytes, or a file to stream from. A file is opened afresh for every attempt, so a retried
   * call sends the whole file again; a one-shot stream could not be replayed.
   */
  data: Buffer | { path: string };
  /** Sent as the multipart file name; its extension tells the API the format (`.mp3`, `.wav`…). */
  filename: string;
  contentType: string;
}

export interface TranscribeOptions {
  /** ISO-639-1 code (`en`); improves accuracy and latency when known. */
  language?: string;
  /** Text in the audio's style or vocabulary (names, jargon), or the previous chunk's transcript. */
  prompt?: string;
  signal?: AbortSignal;
}

export interface TranscriptSegment {
  /** Seconds from the start of this file. */
  start: number;
  end: number;
  text: string;
}

/** What one call cost, for storing beside the recording it was made for. */
export interface LlmCost {
  usd: number;
  model: string;
  inputTokens: number;
  outputTokens: number;
  audioSeconds: number;
}

export interface Transcription {
  text: string;
  /** As the API names it (Whisper says `english`). */
  language?: string;
  durationSeconds?: number;
  segments: TranscriptSegment[];
  model: string;
  usage: { audioSeconds: number };
  cost: LlmCost;
}

/** Image formats every driver accepts inline. */
export type LlmImageType = 'image/jpeg' | 'image/png' | 'image/webp';

/** An image in a message: its bytes (sent inline, base64) or a link the provider can fetch. */
export type LlmImagePart =
  { type: 'image'; data: Buffer; contentType: LlmImageType } | { type: 'image'; url: string };

export type LlmContentPart = { type: 'text'; text: string } | LlmImagePart;

export type LlmMessage =
  { role: 'system'; content: string } | { role: 'user' | 'assistant'; content: string | LlmContentPart[] };

/**
 * What a completion is for. Seed 004's cost controls: each task has its model, chosen by settings
 * (reading a label photo needs gpt-4o; summaries and classification do well on gpt-4o-mini).
 */
export const llmTasks = ['label-reading', 'classification', 'summary'] as const;
export type LlmTask = (typeof llmTasks)[number];

/** Model (or Azure deployment) per task; a task without one uses the driver's chat model. */
export type LlmTaskModels = Partial<Record<LlmTask, string>>;

export interface CompleteOptions<T extends TObject> {
  /**
   * The shape of the answer. OpenAI's strict mode needs every property required (use a union with
   * null for optional ones) and `additionalProperties: false` on every object.
   */
  schema: T;
  /** Names the schema to the model (letters, digits, `_` and `-`, at most 64). */
  schemaName: string;
  signal?: AbortSignal;
  /** Ceiling on the answer's tokens; 4096 when not given. */
  maxTokens?: number;
  /** Picks the model; `summary` when not given. */
  task?: LlmTask;
}

export interface Completion<V> {
  /** The model's answer, checked against the schema. */
  value: V;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  cost: LlmCost;
}

export interface LlmCapabilities {
  transcribe: boolean;
  complete: boolean;
}

export interface LlmProvider {
  /** The configured driver; `anthropic+openai` style when transcription comes from another driver. */
  readonly name: string;
  readonly capabilities: LlmCapabilities;
  /** Throws LlmNotConfiguredError when `capabilities.transcribe` is false. */
  transcribe(audio: AudioInput, options?: TranscribeOptions): Promise<Transcription>;
  /**
   * Throws LlmNotConfiguredError when `capabilities.complete` is false, LlmOutputInvalidError when
   * the answer does not match the schema, BreakerOpenError or OperationTimeoutError from the
   * resilience policy, and the SDK's APIError (with `.status`) when the API refused the call.
   */
  complete<T extends TObject>(
    messages: LlmMessage[],
    options: CompleteOptions<T>,
  ): Promise<Completion<Static<T>>>;
  /** Name `llm`, never required; reports breaker and last-call state without calling the API. */
  readonly health: DependencyCheck;
  close(): Promise<void>;
}
