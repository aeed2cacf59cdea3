// A recording's cost: the provider's cost per call, summed over transcription pieces, with a total.
import type { LlmCost } from '../../../platform/llm/llm-provider.js';
import type { RecordingCost } from '../recording.js';

export const addCost = (a: LlmCost | null, b: LlmCost): LlmCost =>
  a === null
    ? { ...b }
    : {
        usd: a.usd + b.usd,
        model: a.model,
        inputTokens: a.inputTokens + b.inputTokens,
        outputTokens: a.outputTokens + b.outputTokens,
        audioSeconds: a.audioSeconds + b.audioSeconds,
      };

export const withTotal = (cost: Omit<RecordingCost, 'totalUsd'>): RecordingCost => ({
  ...cost,
  totalUsd: Math.round(((cost.transcription?.usd ?? 0) + (cost.analysis?.usd ?? 0)) * 1e6) / 1e6,
});
