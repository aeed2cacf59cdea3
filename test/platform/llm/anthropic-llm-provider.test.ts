// Anthropic through the official client against the stand-in's /v1/messages (a forced tool call),
// with transcription from OpenAI (LLM_TRANSCRIBE_PROVIDER).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import {
  createAnthropicClient,
  createAnthropicLlmProvider,
  createLlmCallRunner,
  createLlmCostTracker,
  createLlmPolicy,
} from '../../../src/platform/llm/index.js';
import { createCapturingLogger } from '../../helpers/fakes.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { makeLlm } from './llm-fixtures.js';
import { InsightSchema, describeLlmProviderContract } from './llm-provider-contract.js';

let standIn: LlmStandIn;
beforeAll(async () => {
  standIn = await startLlmStandIn();
});
afterAll(async () => {
  await standIn.close();
});

describeLlmProviderContract('anthropic', () => standIn, {
  chatKind: 'messages',
  // 1.2k input × 0.003 + 0.3k output × 0.015 (claude-sonnet-4-5, by prefix)
  chatUsd: 0.0081,
  transcribeUsd: 0.009,
  transcribeModel: 'whisper-1',
});

describe('Anthropic wire format', () => {
  beforeEach(() => standIn.reset());

  it('when chatting, then system text, messages and a forced tool with the schema are sent', async () => {
    const { provider } = await makeLlm(standIn, 'anthropic');
    expect(provider.name).toBe('anthropic+openai');
    const result = await provider.complete(
      [
        { role: 'system', content: 'You coach sales calls.' },
        { role: 'user', content: 'Transcript: hello' },
      ],
      { schema: InsightSchema, schemaName: 'call_insights', maxTokens: 800 },
    );
    expect(result.model).toBe('claude-sonnet-4-5-test');
    const [request] = standIn.received('messages');
    // @anthropic-ai/sdk 1.x sends the API key as a bearer token (0.x used x-api-key).
    const key = request?.headers['x-api-key'] ?? request?.headers.authorization?.replace(/^Bearer /, '');
    expect(key).toBe(standIn.options.anthropicApiKey);
    expect(request?.headers['anthropic-version']).toEqual(expect.any(String));
    expect(request?.body).toMatchObject({
      model: 'claude-sonnet-4-5-test',
      max_tokens: 800,
      system: 'You coach sales calls.',
      messages: [{ role: 'user', content: 'Transcript: hello' }],
      tools: [
        {
          name: 'call_insights',
          input_schema: { type: 'object', required: ['summary', 'score'], additionalProperties: false },
        },
      ],
      tool_choice: { type: 'tool', name: 'call_insights' },
    });
  });

  it('when rate limited with Retry-After: 1, then the retry waits 1 s and succeeds', async () => {
    const fixture = await makeLlm(standIn, 'anthropic');
    standIn.script('messages', { status: 429, headers: { 'retry-after': '1' } });
    const result = await fixture.provider.complete([{ role: 'user', content: 'x' }], {
      schema: InsightSchema,
      schemaName: 'call_insights',
    });
    expect(result.value.score).toBe(7);
    expect(standIn.received('messages')).toHaveLength(2);
    expect(fixture.lines.filter((line) => line.msg === 'LLM call failed; retrying')).toEqual([
      expect.objectContaining({ provider: 'anthropic', delayMs: 1000 }),
    ]);
  });

  it('when Anthropic fails, then transcription (another driver, another breaker) still works', async () => {
    const fixture = await makeLlm(standIn, 'anthropic', {
      resilience: { retryAttempts: 0, breakerThreshold: 1 },
    });
    standIn.script('messages', { status: 503 });
    await fixture.provider
      .complete([{ role: 'user', content: 'x' }], { schema: InsightSchema, schemaName: 'call_insights' })
      .catch(() => undefined);
    const transcript = await fixture.provider.transcribe({
      data: Buffer.from('x'),
      filename: 'a.mp3',
      contentType: 'audio/mpeg',
    });
    expect(transcript.text).toContain('Hello');
    const health = await fixture.provider.health.check(AbortSignal.timeout(1000));
    expect(health).toMatchObject({
      status: 'degraded',
      details: { complete: { breaker: 'open' }, transcribe: { breaker: 'closed' } },
    });
    expect(fixture.provider.health.driver).toBe('anthropic+openai');
  });

  it('when the model does not call the tool, then LlmOutputInvalidError', async () => {
    const costs = createLlmCostTracker({ prices: {}, registry: new Registry() });
    const { logger } = createCapturingLogger();
    const provider = createAnthropicLlmProvider({
      client: createAnthropicClient({
        apiKey: standIn.options.anthropicApiKey,
        baseUrl: standIn.url,
        timeoutMs: 5000,
      }),
      model: 'claude-sonnet-4-5-test',
      costs,
      runner: createLlmCallRunner({
        provider: 'anthropic',
        costs,
        logger,
        policy: createLlmPolicy({
          timeoutMs: 5000,
          retryAttempts: 0,
          retryBaseMs: 1,
          retryMaxDelayMs: 10,
          breakerThreshold: 5,
          breakerHalfOpenMs: 1000,
        }),
      }),
    });
    standIn.script('messages', {
      status: 200,
      body: {
        id: 'msg_x',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-test',
        content: [{ type: 'text', text: 'I would rather chat.' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    });
    await expect(
      provider.complete([{ role: 'user', content: 'x' }], {
        schema: InsightSchema,
        schemaName: 'call_insights',
      }),
    ).rejects.toMatchObject({
      name: 'LlmOutputInvalidError',
      problems: ['the model did not call the call_insights tool'],
      cost: { usd: 0, inputTokens: 10, outputTokens: 5 },
    });
    expect(provider.capabilities).toEqual({ transcribe: false, complete: true });
    await expect(
      provider.transcribe({ data: Buffer.from('x'), filename: 'a.mp3', contentType: 'audio/mpeg' }),
    ).rejects.toMatchObject({ name: 'LlmNotConfiguredError', capability: 'transcribe' });
  });
});
