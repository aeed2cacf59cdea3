// The factory: which driver each setting combination yields, the embedded default, start-up errors,
// and the typed errors of the none driver.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LlmConfigurationError,
  LlmNotConfiguredError,
  createLlmProvider,
  isLlmNotConfiguredError,
  llmOptionsFromSettings,
} from '../../../src/platform/llm/index.js';
import { createCapturingLogger } from '../../helpers/fakes.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { testSettings } from '../../helpers/test-settings.js';
import { makeLlm } from './llm-fixtures.js';
import { InsightSchema } from './llm-provider-contract.js';

const deps = () => ({ logger: createCapturingLogger().logger, registry: new Registry() });

let standIn: LlmStandIn;
beforeAll(async () => {
  standIn = await startLlmStandIn();
});
afterAll(async () => {
  await standIn.close();
});

describe('createLlmProvider', () => {
  it('when LLM_PROVIDER is unset, then the none driver: no capability, typed errors, healthy /health', async () => {
    const provider = createLlmProvider(llmOptionsFromSettings(await testSettings()), deps());
    expect(provider.name).toBe('none');
    expect(provider.capabilities).toEqual({ transcribe: false, complete: false });
    const error = await provider
      .complete([{ role: 'user', content: 'x' }], { schema: InsightSchema, schemaName: 'x' })
      .catch((e: unknown) => e);
    expect(isLlmNotConfiguredError(error)).toBe(true);
    await expect(
      provider.transcribe({ data: Buffer.from('x'), filename: 'a.mp3', contentType: 'audio/mpeg' }),
    ).rejects.toBeInstanceOf(LlmNotConfiguredError);
    expect(provider.health).toMatchObject({ name: 'llm', driver: 'none', required: false });
    expect(await provider.health.check(AbortSignal.timeout(1000))).toEqual({
      status: 'healthy',
      details: { configured: false },
    });
    await provider.close();
  });

  it('when anthropic has no transcription provider, then start-up fails naming LLM_TRANSCRIBE_PROVIDER', async () => {
    const settings = await testSettings({
      LLM_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: 'k',
      LLM_TRANSCRIBE_PROVIDER: 'openai',
      OPENAI_API_KEY: 'o',
    });
    const { transcribeProvider: _dropped, ...options } = llmOptionsFromSettings(settings);
    expect(() => createLlmProvider(options, deps())).toThrow(LlmConfigurationError);
    expect(() => createLlmProvider(options, deps())).toThrow(/^LLM_TRANSCRIBE_PROVIDER: /);
  });

  it('when a driver lacks its key, then start-up fails naming the setting', async () => {
    const options = llmOptionsFromSettings(
      await testSettings({ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'k' }),
    );
    expect(() =>
      createLlmProvider({ ...options, openAi: { ...options.openAi, apiKey: undefined } }, deps()),
    ).toThrow(/^OPENAI_API_KEY: /);
  });

  it('when azure_openai chats and openai transcribes, then each call goes to its own service', async () => {
    standIn.reset();
    const { provider } = await makeLlm(standIn, 'azure_openai', {
      settings: {
        LLM_TRANSCRIBE_PROVIDER: 'openai',
        OPENAI_API_KEY: standIn.options.openAiApiKey,
        OPENAI_BASE_URL: standIn.openAiBaseUrl,
      },
    });
    expect(provider.name).toBe('azure_openai+openai');
    await provider.transcribe({ data: Buffer.from('x'), filename: 'a.mp3', contentType: 'audio/mpeg' });
    await provider.complete([{ role: 'user', content: 'x' }], { schema: InsightSchema, schemaName: 'x' });
    expect(standIn.requests.map((request) => `${request.flavour}:${request.kind}`)).toEqual([
      'openai:transcriptions',
      'azure:chat',
    ]);
  });

  it('when only LLM_TRANSCRIBE_PROVIDER is set, then transcription works and chat is not configured', async () => {
    standIn.reset();
    const { provider } = await makeLlm(standIn, 'openai', {
      settings: { LLM_PROVIDER: 'none', LLM_TRANSCRIBE_PROVIDER: 'openai' },
    });
    expect(provider.capabilities).toEqual({ transcribe: true, complete: false });
    await expect(
      provider.complete([{ role: 'user', content: 'x' }], { schema: InsightSchema, schemaName: 'x' }),
    ).rejects.toBeInstanceOf(LlmNotConfiguredError);
  });
});
