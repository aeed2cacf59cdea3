// Cost tracking: prices from LLM_PRICES (exact or longest prefix), the per-call cost, and the
// counters and histogram /metrics exposes.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/platform/config/settings-schema.js';
import { createLlmCostTracker } from '../../../src/platform/llm/index.js';
import { createCapturingLogger } from '../../helpers/fakes.js';
import { testSettings } from '../../helpers/test-settings.js';

describe('createLlmCostTracker', () => {
  it('prices tokens per 1k and audio per minute, by exact model or longest prefix', async () => {
    const { LLM_PRICES: prices } = await testSettings();
    const tracker = createLlmCostTracker({ prices, registry: new Registry() });
    expect(tracker.priceOf('gpt-4o-mini-2024-07-18')).toEqual(prices['gpt-4o-mini']);
    expect(tracker.priceOf('gpt-4o-2024-08-06')).toEqual(prices['gpt-4o']);
    expect(tracker.priceOf('claude-sonnet-4-5-20250929')).toEqual(prices['claude-sonnet-4-5']);

    // 10k input × 0.0025 + 2k output × 0.01 = 0.025 + 0.02
    expect(
      tracker.record({
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        inputTokens: 10_000,
        outputTokens: 2_000,
      }),
    ).toEqual({
      usd: 0.045,
      model: 'gpt-4o-2024-08-06',
      inputTokens: 10_000,
      outputTokens: 2_000,
      audioSeconds: 0,
    });
    // 10 minutes × 0.006
    expect(tracker.record({ provider: 'azure_openai', model: 'whisper', audioSeconds: 600 }).usd).toBe(0.06);
  });

  it('every default model of every provider has a default price', async () => {
    const { LLM_PRICES: prices } = await testSettings();
    const tracker = createLlmCostTracker({ prices, registry: new Registry() });
    // Read from the schema, so a new *_MODEL setting with a default cannot ship unpriced.
    const defaults = Object.entries(SettingsSchema.properties).flatMap(
      ([name, schema]): [string, string][] => {
        const value: unknown = (schema as { default?: unknown }).default;
        return name.endsWith('_MODEL') && typeof value === 'string' ? [[name, value]] : [];
      },
    );
    expect(defaults.map(([name]) => name)).toEqual(
      expect.arrayContaining(['OPENAI_TRANSCRIBE_MODEL', 'OPENAI_CHAT_MODEL', 'ANTHROPIC_MODEL']),
    );
    for (const [name, model] of defaults) expect(tracker.priceOf(model), `${name}=${model}`).toBeDefined();
    // Anthropic's published price for the current Sonnet: $2 in, $10 out per million tokens.
    expect(
      tracker.record({
        provider: 'anthropic',
        model: 'claude-sonnet-5-5',
        inputTokens: 1e6,
        outputTokens: 1e6,
      }).usd,
    ).toBe(12);
  });

  it('when a model has no price, then it costs 0 and a warning is logged once', () => {
    const { logger, lines } = createCapturingLogger();
    const tracker = createLlmCostTracker({ prices: {}, registry: new Registry(), logger });
    expect(
      tracker.record({ provider: 'openai', model: 'mystery', inputTokens: 5, outputTokens: 5 }).usd,
    ).toBe(0);
    tracker.record({ provider: 'openai', model: 'mystery', inputTokens: 5, outputTokens: 5 });
    expect(lines.filter((line) => line.model === 'mystery' && line.level === 'warn')).toHaveLength(1);
  });

  it('exposes tokens, audio seconds, cost and call durations on the registry', async () => {
    const registry = new Registry();
    const tracker = createLlmCostTracker({
      prices: {
        'gpt-4o-mini': { inputPer1kTokens: 0.00015, outputPer1kTokens: 0.0006 },
        whisper: { perAudioMinute: 0.006 },
      },
      registry,
    });
    tracker.record({ provider: 'azure_openai', model: 'gpt-4o-mini', inputTokens: 1200, outputTokens: 300 });
    tracker.record({ provider: 'azure_openai', model: 'gpt-4o-mini', inputTokens: 800, outputTokens: 200 });
    tracker.record({ provider: 'azure_openai', model: 'whisper', audioSeconds: 90 });
    tracker.observeCall({
      provider: 'azure_openai',
      operation: 'complete',
      outcome: 'success',
      seconds: 1.5,
    });
    tracker.observeCall({
      provider: 'azure_openai',
      operation: 'transcribe',
      outcome: 'error',
      seconds: 0.2,
    });

    const text = await registry.metrics();
    expect(text).toContain(
      'azimuth_llm_tokens_total{provider="azure_openai",model="gpt-4o-mini",direction="input"} 2000',
    );
    expect(text).toContain(
      'azimuth_llm_tokens_total{provider="azure_openai",model="gpt-4o-mini",direction="output"} 500',
    );
    expect(text).toContain('azimuth_llm_audio_seconds_total{provider="azure_openai",model="whisper"} 90');
    // 2k × 0.00015 + 0.5k × 0.0006 = 0.0006
    expect(text).toMatch(
      /azimuth_llm_cost_usd_total\{provider="azure_openai",model="gpt-4o-mini"\} 0\.0006\d*/,
    );
    expect(text).toContain('azimuth_llm_cost_usd_total{provider="azure_openai",model="whisper"} 0.009');
    expect(text).toContain(
      'azimuth_llm_call_duration_seconds_count{provider="azure_openai",operation="complete",outcome="success"} 1',
    );
    expect(text).toContain(
      'azimuth_llm_call_duration_seconds_count{provider="azure_openai",operation="transcribe",outcome="error"} 1',
    );
    // Transcription records no token series, chat no audio series.
    expect(text).not.toContain('model="whisper",direction');
    expect(text).not.toContain(
      'azimuth_llm_audio_seconds_total{provider="azure_openai",model="gpt-4o-mini"}',
    );
  });
});
