// Image input and the model per task, on the wire: each driver sends a photo the way its API takes
// it (OpenAI and Azure: an image_url data: URL; Anthropic: a base64 image block), and label reading
// goes to the label model while summaries stay on the chat model.
import Type from 'typebox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadRetiringAnthropicModels,
  warnAboutRetiringModels,
} from '../../../src/platform/llm/anthropic-model-retirement.js';
import type { LlmMessage } from '../../../src/platform/llm/index.js';
import { createCapturingLogger } from '../../helpers/fakes.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { makeLlm, type Flavour } from './llm-fixtures.js';

const Answer = Type.Object({ productName: Type.String() }, { additionalProperties: false });
const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const messages: LlmMessage[] = [
  { role: 'system', content: 'Read labels.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is this?' },
      { type: 'image', data: photo, contentType: 'image/jpeg' },
      { type: 'image', url: 'https://example.test/label.webp' },
    ],
  },
];

let standIn: LlmStandIn;
beforeAll(async () => {
  standIn = await startLlmStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.reset();
  standIn.answer = { productName: 'Glossa' };
});

const labelSettings: Record<Flavour, Record<string, string>> = {
  azure_openai: { AZURE_OPENAI_LABEL_DEPLOYMENT: 'gpt-4o' },
  azure_openai_identity: { AZURE_OPENAI_LABEL_DEPLOYMENT: 'gpt-4o' },
  openai: {},
  anthropic: { ANTHROPIC_LABEL_MODEL: 'claude-opus-5-5' },
};

describe.each(['azure_openai', 'openai'] as const)('%s image input', (flavour) => {
  it('when a label is read, then the photo goes as image_url parts to the label model; summaries use the chat model', async () => {
    const { provider } = await makeLlm(standIn, flavour, { settings: labelSettings[flavour] });
    const result = await provider.complete(messages, {
      schema: Answer,
      schemaName: 'label',
      task: 'label-reading',
    });
    expect(result.value).toEqual({ productName: 'Glossa' });
    await provider.complete([{ role: 'user', content: 'Summarise.' }], {
      schema: Answer,
      schemaName: 'summary',
    });
    const [label, summary] = standIn.received('chat');
    const model = (request: typeof label) =>
      flavour === 'openai' ? request?.body?.model : request?.deployment;
    expect(model(label)).toBe('gpt-4o');
    expect(model(summary)).toBe('gpt-4o-mini');
    expect(label?.body?.messages).toEqual([
      { role: 'system', content: 'Read labels.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          {
            type: 'image_url',
            image_url: { url: `data:image/jpeg;base64,${photo.toString('base64')}`, detail: 'high' },
          },
          { type: 'image_url', image_url: { url: 'https://example.test/label.webp', detail: 'high' } },
        ],
      },
    ]);
  });
});

describe('anthropic image input', () => {
  it('when a label is read, then the photo goes as image blocks to ANTHROPIC_LABEL_MODEL', async () => {
    const { provider } = await makeLlm(standIn, 'anthropic', { settings: labelSettings.anthropic });
    await provider.complete(messages, { schema: Answer, schemaName: 'label', task: 'label-reading' });
    await provider.complete([{ role: 'user', content: 'Summarise.' }], {
      schema: Answer,
      schemaName: 'summary',
      task: 'summary',
    });
    const [label, summary] = standIn.received('messages');
    expect(label?.body).toMatchObject({
      model: 'claude-opus-5-5',
      system: 'Read labels.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/jpeg', data: photo.toString('base64') },
            },
            { type: 'image', source: { type: 'url', url: 'https://example.test/label.webp' } },
          ],
        },
      ],
    });
    expect(summary?.body?.model).toBe('claude-sonnet-4-5-test');
  });
});

describe('retiring Anthropic models', () => {
  it('when a configured model is on the installed SDK’s deprecation list, then one warning names the setting and the date', async () => {
    const retiring = await loadRetiringAnthropicModels();
    expect(retiring['claude-sonnet-4-5-20250929']).toBe('November 30th, 2026');
    const { logger, lines } = createCapturingLogger();
    const warned = warnAboutRetiringModels({
      models: { ANTHROPIC_MODEL: 'claude-sonnet-4-5-20250929', ANTHROPIC_LABEL_MODEL: 'claude-sonnet-5-5' },
      retiring,
      logger,
    });
    expect(warned).toEqual(['ANTHROPIC_MODEL']);
    expect(lines).toEqual([
      expect.objectContaining({
        setting: 'ANTHROPIC_MODEL',
        endOfLife: 'November 30th, 2026',
        level: 'warn',
      }),
    ]);
    expect(retiring['claude-sonnet-5-5']).toBeUndefined();
  });
});
