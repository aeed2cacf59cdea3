// Whisper answers verbose_json; the gpt-4o transcription models that replace it on Azure OpenAI
// accept json only, so the driver asks each for what it can return.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transcriptionResponseFormat } from '../../../src/platform/llm/transcription-response-format.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { makeLlm } from './llm-fixtures.js';

describe('transcriptionResponseFormat', () => {
  it.each([
    ['whisper-1', 'verbose_json'],
    ['whisper', 'verbose_json'],
    ['gpt-4o-mini-transcribe', 'json'],
    ['gpt-4o-transcribe', 'json'],
    ['my-transcription-deployment', 'json'],
  ])('%s answers as %s', (model, format) => {
    expect(transcriptionResponseFormat(model)).toBe(format);
  });
});

describe('OpenAI transcription request', () => {
  let standIn: LlmStandIn;
  beforeAll(async () => {
    standIn = await startLlmStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => standIn.reset());

  it('when the model is gpt-4o-mini-transcribe, then the request asks for json and the text comes back', async () => {
    const { provider } = await makeLlm(standIn, 'openai', {
      settings: { OPENAI_TRANSCRIBE_MODEL: 'gpt-4o-mini-transcribe' },
    });
    const result = await provider.transcribe({
      data: Buffer.from('abc'),
      filename: 'a.m4a',
      contentType: 'audio/mp4',
    });
    const [request] = standIn.received('transcriptions');
    expect(request?.fields).toMatchObject({ model: 'gpt-4o-mini-transcribe', response_format: 'json' });
    expect(typeof result.text).toBe('string');
  });
});
