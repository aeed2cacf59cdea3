// A recording and its pipeline state: status, the stage under way with its percentage, each
// stage's outcome (done, skipped with a reason, or failed), and what the stages produced.
import type { LlmCost, TranscriptSegment } from '../../platform/llm/llm-provider.js';
import type { Insights } from './insights.js';

export const recordingStatuses = [
  'queued',
  'compressing',
  'transcribing',
  'analysing',
  'completed',
  'failed',
] as const;
export type RecordingStatus = (typeof recordingStatuses)[number];

export const stageNames = ['upload', 'compress', 'transcribe', 'analyse', 'complete'] as const;
export type StageName = (typeof stageNames)[number];

/** The status a recording has while a stage runs. */
export const statusOfStage: Record<StageName, RecordingStatus> = {
  upload: 'queued',
  compress: 'compressing',
  transcribe: 'transcribing',
  analyse: 'analysing',
  complete: 'completed',
};

export type StageOutcome = 'pending' | 'done' | 'skipped' | 'failed';

export interface StageState {
  state: StageOutcome;
  /** Why it was skipped or failed. */
  reason?: string;
  finishedAt?: string;
}

export type PipelineStage = 'compress' | 'transcribe' | 'analyse';
export type Stages = Record<PipelineStage, StageState>;

export const initialStages = (): Stages => ({
  compress: { state: 'pending' },
  transcribe: { state: 'pending' },
  analyse: { state: 'pending' },
});

export interface Transcript {
  text: string;
  language: string | null;
  /** Seconds from the start of the recording (chunk offsets already added). */
  segments: TranscriptSegment[];
  model: string;
  /** How many pieces the audio was cut into for the provider's upload limit. */
  chunks: number;
}

export interface RecordingCost {
  transcription: LlmCost | null;
  analysis: LlmCost | null;
  totalUsd: number;
}

export const zeroCost = (): RecordingCost => ({ transcription: null, analysis: null, totalUsd: 0 });

export interface Recording {
  id: string;
  /** The principal id (AUTH_MODE=jwt), or the caller's `userId` (AUTH_MODE=none, default `anonymous`). */
  owner: string;
  title: string;
  language: string | null;
  status: RecordingStatus;
  stage: StageName;
  /** Percentage of the current stage. */
  percent: number;
  /** Increases with every progress change; live events older than a snapshot are dropped by it. */
  version: number;
  originalExt: string;
  contentType: string;
  sizeBytes: number;
  compressedBytes: number | null;
  durationSeconds: number | null;
  stages: Stages;
  transcript: Transcript | null;
  insights: Insights | null;
  cost: RecordingCost;
  warnings: string[];
  error: string | null;
  /** Times a failed recording was retried through the API. */
  retries: number;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}
