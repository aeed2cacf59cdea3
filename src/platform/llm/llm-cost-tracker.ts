// Seed 004's cost tracker: tokens and audio seconds per model, priced from LLM_PRICES, counted on
// /metrics and returned per call so a recording can keep what its processing cost.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { LlmCost } from './llm-provider.js';

export interface LlmPrice {
  inputPer1kTokens?: number;
  outputPer1kTokens?: number;
  perAudioMinute?: number;
}

/** Model name (or prefix) → price, in USD. */
export type LlmPrices = Record<string, LlmPrice>;

export interface LlmUsage {
  provider: string;
  model: string;
  inputTokens?: number;
  outputTokens?: number;
  audioSeconds?: number;
}

export interface LlmCallObservation {
  provider: string;
  operation: 'transcribe' | 'complete';
  outcome: 'success' | 'error';
  seconds: number;
}

export interface LlmCostTracker {
  /** Counts the usage and returns its price. */
  record(usage: LlmUsage): LlmCost;
  /** Times one call, retries included, whatever its outcome. */
  observeCall(observation: LlmCallObservation): void;
  /** The price that applies to `model`: the exact entry, else the longest key `model` starts with. */
  priceOf(model: string): LlmPrice | undefined;
}

/** Rounds away float noise (0.1 + 0.2) without losing sub-cent precision. */
const roundUsd = (usd: number) => Math.round(usd * 1e9) / 1e9;

export function createLlmCostTracker(options: {
  prices: LlmPrices;
  registry: Registry;
  logger?: Logger;
}): LlmCostTracker {
  const registers = [options.registry];
  const tokens = new Counter({
    name: 'azimuth_llm_tokens_total',
    help: 'LLM tokens, by direction (input, output)',
    labelNames: ['provider', 'model', 'direction'],
    registers,
  });
  const audioSeconds = new Counter({
    name: 'azimuth_llm_audio_seconds_total',
    help: 'Seconds of audio transcribed',
    labelNames: ['provider', 'model'],
    registers,
  });
  const cost = new Counter({
    name: 'azimuth_llm_cost_usd_total',
    help: 'Estimated LLM spend in USD, priced from LLM_PRICES',
    labelNames: ['provider', 'model'],
    registers,
  });
  const duration = new Histogram({
    name: 'azimuth_llm_call_duration_seconds',
    help: 'Duration of LLM calls, retries included',
    labelNames: ['provider', 'operation', 'outcome'],
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers,
  });
  const byLength = Object.keys(options.prices).sort((a, b) => b.length - a.length);
  const unpriced = new Set<string>();

  const priceOf = (model: string): LlmPrice | undefined => {
    const exact = options.prices[model];
    if (exact !== undefined) return exact;
    const key = byLength.find((prefix) => model.startsWith(prefix));
    return key === undefined ? undefined : options.prices[key];
  };

  return {
    priceOf,
    record(usage) {
      const input = usage.inputTokens ?? 0;
      const output = usage.outputTokens ?? 0;
      const seconds = usage.audioSeconds ?? 0;
      const price = priceOf(usage.model);
      if (price === undefined && !unpriced.has(usage.model)) {
        unpriced.add(usage.model);
        options.logger?.warn(
          { provider: usage.provider, model: usage.model },
          'no LLM_PRICES entry for this model; its cost is counted as 0',
        );
      }
      const usd = roundUsd(
        (input / 1000) * (price?.inputPer1kTokens ?? 0) +
          (output / 1000) * (price?.outputPer1kTokens ?? 0) +
          (seconds / 60) * (price?.perAudioMinute ?? 0),
      );
      const labels = { provider: usage.provider, model: usage.model };
      if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
        tokens.inc({ ...labels, direction: 'input' }, input);
        tokens.inc({ ...labels, direction: 'output' }, output);
      }
      if (usage.audioSeconds !== undefined) audioSeconds.inc(labels, seconds);
      cost.inc(labels, usd);
      return { usd, model: usage.model, inputTokens: input, outputTokens: output, audioSeconds: seconds };
    },
    observeCall(observation) {
      duration.observe(
        { provider: observation.provider, operation: observation.operation, outcome: observation.outcome },
        observation.seconds,
      );
    },
  };
}
