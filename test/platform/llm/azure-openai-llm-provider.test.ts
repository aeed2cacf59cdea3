// Azure OpenAI through the official AzureOpenAI client against the local stand-in: wire format, API
// key and managed identity, and the llm policy (Retry-After, 5xx retries, 400, timeouts, breaker).
import Type from 'typebox';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cognitiveServicesScope } from '../../../src/platform/llm/index.js';
import {
  BreakerOpenError,
  DependencyUnavailableError,
  OperationTimeoutError,
} from '../../../src/platform/resilience/index.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { InsightSchema, describeLlmProviderContract } from './llm-provider-contract.js';
import { makeLlm } from './llm-fixtures.js';

let standIn: LlmStandIn;
beforeAll(async () => {
  standIn = await startLlmStandIn();
});
afterAll(async () => {
  await standIn.close();
});

const expectations = {
  chatKind: 'chat' as const,
  // 1.2k input × 0.00015 + 0.3k output × 0.0006 (gpt-4o-mini)
  chatUsd: 0.00036,
  // 1.5 minutes × 0.006 (seed 002's `whisper` deployment)
  transcribeUsd: 0.009,
  transcribeModel: 'whisper',
};
describeLlmProviderContract('azure_openai', () => standIn, expectations);
describeLlmProviderContract('azure_openai_identity', () => standIn, expectations);

const ask = (fixture: Awaited<ReturnType<typeof makeLlm>>) =>
  fixture.provider.complete([{ role: 'user', content: 'Summarise: secret transcript words' }], {
    schema: InsightSchema,
    schemaName: 'call_insights',
  });
const outcome = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );

describe('Azure OpenAI wire format', () => {
  beforeEach(() => standIn.reset());

  it('when chatting, then the deployment path, api-version, api-key and strict json_schema are sent', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    await ask(fixture);
    const [request] = standIn.received('chat');
    expect(request).toMatchObject({
      flavour: 'azure',
      deployment: 'gpt-4o-mini',
      apiVersion: '2024-12-01-preview',
      headers: expect.objectContaining({ 'api-key': standIn.options.azureApiKey }) as unknown,
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Summarise: secret transcript words' }],
      max_completion_tokens: 4096,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'call_insights',
          strict: true,
          schema: {
            type: 'object',
            required: ['summary', 'score'],
            additionalProperties: false,
            properties: { summary: { type: 'string' }, score: { type: 'integer', minimum: 0, maximum: 10 } },
          },
        },
      },
    });
  });

  it('when transcribing, then the Whisper deployment is the path and the model field', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    await fixture.provider.transcribe({
      data: Buffer.from('x'),
      filename: 'a.mp3',
      contentType: 'audio/mpeg',
    });
    const [request] = standIn.received('transcriptions');
    expect(request).toMatchObject({ deployment: 'whisper', apiVersion: '2024-12-01-preview' });
    expect(request?.fields?.model).toBe('whisper');
    expect(request?.fields?.language).toBeUndefined();
  });

  it('when no API key is set, then a managed-identity bearer token for Cognitive Services is sent', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai_identity');
    await ask(fixture);
    const [request] = standIn.received('chat');
    expect(request?.headers.authorization).toBe(`Bearer ${standIn.options.azureBearerToken}`);
    expect(request?.headers['api-key']).toBeUndefined();
    expect(fixture.tokenScopes).toContain(cognitiveServicesScope);
    expect(await fixture.provider.health.check(AbortSignal.timeout(1000))).toMatchObject({
      details: { auth: 'managed-identity', endpoint: new URL(standIn.url).host },
    });
  });

  it('when the key is wrong, then the 401 is final (not retried)', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai', { settings: { AZURE_OPENAI_API_KEY: 'wrong' } });
    const { error } = await outcome(ask(fixture));
    expect((error as APIError).status).toBe(401);
    expect(standIn.received('chat')).toHaveLength(1);
  });

  it('when the answer is not JSON, then LlmOutputInvalidError', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.answerText = 'Sure! Here is the summary: a short call.';
    const { error } = await outcome(ask(fixture));
    expect(error).toMatchObject({ name: 'LlmOutputInvalidError', problems: ['the answer is not JSON'] });
  });
});

describe('llm resilience policy (Azure OpenAI)', () => {
  beforeEach(() => standIn.reset());

  it('when the API answers 429 with Retry-After: 1, then the retry waits 1 s and succeeds', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.script('chat', { status: 429, headers: { 'retry-after': '1' } });
    const { value } = await outcome(ask(fixture));
    expect(value?.value.score).toBe(7);
    expect(standIn.received('chat')).toHaveLength(2);
    const retries = fixture.lines.filter((line) => line.msg === 'LLM call failed; retrying');
    // With no jitter and a 1 ms base, only the server's Retry-After explains a 1000 ms wait.
    expect(retries).toEqual([
      expect.objectContaining({ attempt: 1, delayMs: 1000, provider: 'azure_openai' }),
    ]);
    expect(String(retries[0]?.error)).toContain('429');
  });

  it('when the API answers 500 then 502, then the call is retried until it succeeds', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.script('chat', { status: 500 }, { status: 502 });
    const { value } = await outcome(ask(fixture));
    expect(value?.value.summary).toBe('A short call.');
    expect(standIn.received('chat')).toHaveLength(3);
    expect(await fixture.registry.getSingleMetricAsString('dependency_retries_total')).toContain(
      'dependency_retries_total{dependency="llm"} 2',
    );
  });

  it('when 503 persists, then it fails after 1 + LLM_RETRY_ATTEMPTS attempts as an llm outage', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.script('chat', { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const { error } = await outcome(ask(fixture));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: 'llm', cause: { status: 503 } });
    expect(standIn.received('chat')).toHaveLength(4);
  });

  it('when the API answers 400, then it is not retried', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.script('chat', { status: 400 });
    const { error } = await outcome(ask(fixture));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(standIn.received('chat')).toHaveLength(1);
  });

  it('when the API hangs, then the attempt times out, is retried, and fails as an outage (timeout)', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai', {
      resilience: { timeoutMs: 300, retryAttempts: 1 },
    });
    standIn.script('chat', 'hang', 'hang');
    const { error } = await outcome(ask(fixture));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).cause).toBeInstanceOf(OperationTimeoutError);
    expect(standIn.received('chat')).toHaveLength(2);
  });

  it('when the API hangs once, then the retry succeeds', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai', {
      resilience: { timeoutMs: 300, retryAttempts: 1 },
    });
    standIn.script('transcriptions', 'hang');
    const result = await fixture.provider.transcribe({
      data: Buffer.from('x'),
      filename: 'a.mp3',
      contentType: 'audio/mpeg',
    });
    expect(result.durationSeconds).toBe(90);
    expect(standIn.received('transcriptions')).toHaveLength(2);
  });

  it('when failures repeat, then the breaker opens, calls fail fast and /health shows it', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai', {
      resilience: { retryAttempts: 0, breakerThreshold: 2, breakerHalfOpenMs: 60_000 },
    });
    standIn.script('chat', { status: 500 }, { status: 500 });
    await outcome(ask(fixture));
    await outcome(ask(fixture));
    const { error } = await outcome(ask(fixture));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).cause).toBeInstanceOf(BreakerOpenError);
    expect(standIn.received('chat')).toHaveLength(2);
    const health = await fixture.provider.health.check(AbortSignal.timeout(1000));
    expect(health.status).toBe('degraded');
    expect(health.details).toMatchObject({
      breaker: 'open',
      lastCall: { operation: 'complete', outcome: 'error', error: 'BreakerOpenError' },
    });
    expect(await fixture.registry.getSingleMetricAsString('circuit_breaker_state')).toContain(
      'circuit_breaker_state{dependency="llm"} 2',
    );
  });

  it('never logs prompts or answers above debug level', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    standIn.script('chat', { status: 500 });
    await ask(fixture);
    standIn.answer = { summary: 'ok', score: 'bad' };
    await outcome(ask(fixture));
    const loud = fixture.lines.filter((line) => line.level !== 'debug' && line.level !== 'trace');
    expect(loud.length).toBeGreaterThan(0);
    const text = JSON.stringify(loud);
    expect(text).not.toContain('secret transcript words');
    expect(text).not.toContain('A short call.');
  });

  it('schemas with nested objects pass through unchanged', async () => {
    const fixture = await makeLlm(standIn, 'azure_openai');
    const Schema = Type.Object(
      { items: Type.Array(Type.Object({ label: Type.String() }, { additionalProperties: false })) },
      { additionalProperties: false },
    );
    standIn.answer = { items: [{ label: 'a' }] };
    const result = await fixture.provider.complete([{ role: 'user', content: 'x' }], {
      schema: Schema,
      schemaName: 'items',
    });
    expect(result.value.items[0]?.label).toBe('a');
  });
});
