// OpenAI through the official client against the local stand-in's /v1 endpoints.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiClient } from '../../../src/platform/llm/index.js';
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

describeLlmProviderContract('openai', () => standIn, {
  chatKind: 'chat',
  chatUsd: 0.00036,
  transcribeUsd: 0.009,
  transcribeModel: 'whisper-1',
});

describe('OpenAI wire format', () => {
  beforeEach(() => standIn.reset());

  it('when chatting, then /v1/chat/completions gets the bearer key, the model and the json_schema', async () => {
    const { provider } = await makeLlm(standIn, 'openai', { settings: { OPENAI_CHAT_MODEL: 'gpt-4o' } });
    standIn.reportedModel = 'gpt-4o-2024-08-06';
    const result = await provider.complete([{ role: 'user', content: 'hi' }], {
      schema: InsightSchema,
      schemaName: 'call_insights',
      maxTokens: 500,
    });
    const [request] = standIn.received('chat');
    expect(request).toMatchObject({ flavour: 'openai', path: '/v1/chat/completions' });
    expect(request?.headers.authorization).toBe(`Bearer ${standIn.options.openAiApiKey}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4o',
      max_completion_tokens: 500,
      response_format: { type: 'json_schema', json_schema: { name: 'call_insights', strict: true } },
    });
    // Priced by the reported model's longest price prefix: gpt-4o, not gpt-4o-mini.
    expect(result.model).toBe('gpt-4o-2024-08-06');
    expect(result.cost.usd).toBe(0.006);
  });

  it('when transcribing, then /v1/audio/transcriptions gets whisper-1 as verbose_json', async () => {
    const { provider } = await makeLlm(standIn, 'openai');
    await provider.transcribe({ data: Buffer.from('abc'), filename: 'a.m4a', contentType: 'audio/mp4' });
    const [request] = standIn.received('transcriptions');
    expect(request?.path).toBe('/v1/audio/transcriptions');
    expect(request?.fields).toMatchObject({ model: 'whisper-1', response_format: 'verbose_json' });
  });

  it('when OPENAI_BASE_URL is unset, then no env variable sneaks in (the client targets api.openai.com)', async () => {
    // Only the settings decide: an OPENAI_BASE_URL in process.env that settings did not load is ignored.
    const previous = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = standIn.openAiBaseUrl;
    try {
      expect(createOpenAiClient({ apiKey: 'k', timeoutMs: 1000 }).baseURL).toBe('https://api.openai.com/v1');
    } finally {
      if (previous === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = previous;
    }
  });
});
