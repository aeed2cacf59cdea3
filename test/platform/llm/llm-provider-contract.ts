// The contract every LlmProvider driver keeps, driven through the official SDK against the stand-in.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Type from 'typebox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_TRANSCRIPTION_UPLOAD_BYTES,
  isLlmAudioTooLargeError,
  isLlmOutputInvalidError,
  type LlmOutputInvalidError,
} from '../../../src/platform/llm/index.js';
import { DependencyUnavailableError } from '../../../src/platform/resilience/index.js';
import { startLlmStandIn, type LlmStandIn, type StandInKind } from '../../helpers/llm-stand-in.js';
import { makeLlm, type Flavour } from './llm-fixtures.js';

export const InsightSchema = Type.Object(
  { summary: Type.String(), score: Type.Integer({ minimum: 0, maximum: 10 }) },
  { additionalProperties: false },
);

export interface ContractExpectations {
  chatKind: Extract<StandInKind, 'chat' | 'messages'>;
  /** USD for the stand-in's default usage (1200 in, 300 out) at the chat model's default price. */
  chatUsd: number;
  /** USD for the stand-in's 90 s of audio at the transcription model's default price. */
  transcribeUsd: number;
  transcribeModel: string;
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

export function describeLlmProviderContract(
  flavour: Flavour,
  getStandIn: () => LlmStandIn,
  expected: ContractExpectations,
) {
  describe(`LlmProvider contract: ${flavour}`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'azimuth-llm-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
      getStandIn().reset();
    });

    it('offers both capabilities', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      expect(provider.capabilities).toEqual({ transcribe: true, complete: true });
    });

    it('when audio bytes are transcribed, then text, segments, usage and cost come back', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      const audio = Buffer.from('ID3 fake mp3 bytes');
      const result = await provider.transcribe(
        { data: audio, filename: 'call.mp3', contentType: 'audio/mpeg' },
        { language: 'en', prompt: 'Azimuth, SoundScribe' },
      );
      expect(result).toEqual({
        text: 'Hello there. Thanks for calling.',
        language: 'english',
        durationSeconds: 90,
        segments: [
          { start: 0, end: 1.5, text: ' Hello there.' },
          { start: 1.5, end: 3.25, text: ' Thanks for calling.' },
        ],
        model: expected.transcribeModel,
        usage: { audioSeconds: 90 },
        cost: {
          usd: expected.transcribeUsd,
          model: expected.transcribeModel,
          inputTokens: 0,
          outputTokens: 0,
          audioSeconds: 90,
        },
      });
      const [request] = getStandIn().received('transcriptions');
      expect(request?.fields).toMatchObject({
        model: expected.transcribeModel,
        language: 'en',
        prompt: 'Azimuth, SoundScribe',
        response_format: 'verbose_json',
      });
      expect(request?.file).toMatchObject({ name: 'call.mp3', type: 'audio/mpeg', size: audio.length });
      expect(request?.file?.bytes.equals(audio)).toBe(true);
    });

    it('when audio is a file path, then the file is streamed and resent whole on a retry', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      const path = join(dir, 'meeting.wav');
      const bytes = Buffer.alloc(64 * 1024, 7);
      await writeFile(path, bytes);
      getStandIn().script('transcriptions', { status: 503 });
      const result = await provider.transcribe({
        data: { path },
        filename: 'meeting.wav',
        contentType: 'audio/wav',
      });
      expect(result.text).toBe('Hello there. Thanks for calling.');
      const requests = getStandIn().received('transcriptions');
      expect(requests).toHaveLength(2);
      for (const request of requests) expect(request.file?.bytes.equals(bytes)).toBe(true);
    });

    it('when audio is above the upload limit, then it is refused before anything is sent', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      const error = await rejection(
        provider.transcribe({
          data: Buffer.alloc(MAX_TRANSCRIPTION_UPLOAD_BYTES + 1),
          filename: 'long.mp3',
          contentType: 'audio/mpeg',
        }),
      );
      expect(isLlmAudioTooLargeError(error)).toBe(true);
      expect(getStandIn().requests).toHaveLength(0);
    });

    it('when a completion is asked for, then the answer is validated and typed, with usage and cost', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      const result = await provider.complete(
        [
          { role: 'system', content: 'You coach sales calls.' },
          { role: 'user', content: 'Transcript: hello there' },
        ],
        { schema: InsightSchema, schemaName: 'call_insights' },
      );
      const summary: string = result.value.summary;
      expect(summary).toBe('A short call.');
      expect(result.value.score).toBe(7);
      expect(result.usage).toEqual({ inputTokens: 1200, outputTokens: 300 });
      expect(result.cost).toEqual({
        usd: expected.chatUsd,
        model: result.model,
        inputTokens: 1200,
        outputTokens: 300,
        audioSeconds: 0,
      });
      expect(getStandIn().received(expected.chatKind)).toHaveLength(1);
    });

    it('when the answer does not match the schema, then LlmOutputInvalidError says where, with the cost', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      getStandIn().answer = { summary: 'ok', score: 'high' };
      const error = await rejection(
        provider.complete([{ role: 'user', content: 'x' }], {
          schema: InsightSchema,
          schemaName: 'call_insights',
        }),
      );
      expect(isLlmOutputInvalidError(error)).toBe(true);
      const invalid = error as LlmOutputInvalidError;
      expect(invalid.problems.join(' ')).toContain('/score');
      expect(invalid.cost.usd).toBe(expected.chatUsd);
      // Not retried: a wrong answer is not an outage.
      expect(getStandIn().received(expected.chatKind)).toHaveLength(1);
    });

    describe('when the provider is out, then the call fails as DependencyUnavailableError naming llm (503 + Retry-After)', () => {
      const ask = (fixture: Awaited<ReturnType<typeof makeLlm>>) =>
        rejection(
          fixture.provider.complete([{ role: 'user', content: 'x' }], {
            schema: InsightSchema,
            schemaName: 'call_insights',
          }),
        );
      const outage = (retryAfterSeconds: number): unknown =>
        expect.objectContaining({ status: 503, dependency: 'llm', retryAfterSeconds });

      it('5xx after the retries', async () => {
        const fixture = await makeLlm(getStandIn(), flavour, { resilience: { retryAttempts: 1 } });
        getStandIn().script(expected.chatKind, { status: 500 }, { status: 502 });
        const error = await ask(fixture);
        expect(error).toBeInstanceOf(DependencyUnavailableError);
        expect(error).toEqual(outage(5));
        expect(getStandIn().received(expected.chatKind)).toHaveLength(2);
      });

      it('429 after the retries, with the Retry-After the provider asked for', async () => {
        // A 1 ms ceiling on waits, so the 7 s the provider asks for is reported, not slept.
        const fixture = await makeLlm(getStandIn(), flavour, {
          resilience: { retryAttempts: 1, retryMaxDelayMs: 1 },
        });
        const throttled = { status: 429, headers: { 'retry-after': '7' } };
        getStandIn().script(expected.chatKind, throttled, throttled);
        expect(await ask(fixture)).toEqual(outage(7));
        expect(getStandIn().received(expected.chatKind)).toHaveLength(2);
      });

      it('breaker open: no request is sent, Retry-After is the time left before a probe', async () => {
        const fixture = await makeLlm(getStandIn(), flavour, {
          resilience: { retryAttempts: 0, breakerThreshold: 1, breakerHalfOpenMs: 30_000 },
        });
        getStandIn().script(expected.chatKind, { status: 503 });
        await ask(fixture);
        const error = await ask(fixture);
        expect(error).toEqual(outage(30));
        expect((error as DependencyUnavailableError).cause).toMatchObject({ name: 'BreakerOpenError' });
        expect(getStandIn().received(expected.chatKind)).toHaveLength(1);
      });

      it('unreachable (nothing listens)', async () => {
        const gone = await startLlmStandIn(getStandIn().options);
        await gone.close();
        const fixture = await makeLlm(gone, flavour, { resilience: { retryAttempts: 0 } });
        expect(await ask(fixture)).toEqual(outage(5));
      });

      it('a refusal (400) stays what it is: not an outage', async () => {
        const fixture = await makeLlm(getStandIn(), flavour);
        getStandIn().script(expected.chatKind, { status: 400 });
        const error = await ask(fixture);
        expect(error).not.toBeInstanceOf(DependencyUnavailableError);
        expect(error).toMatchObject({ status: 400 });
      });
    });

    it('when /health is probed, then it reports breaker and last call without calling the API', async () => {
      const { provider } = await makeLlm(getStandIn(), flavour);
      const signal = AbortSignal.timeout(5_000);
      const before = await provider.health.check(signal);
      expect(provider.health).toMatchObject({ name: 'llm', required: false });
      expect(before.status).toBe('healthy');
      expect(JSON.stringify(before.details)).toContain('"breaker":"closed"');
      expect(getStandIn().requests).toHaveLength(0);

      await provider.complete([{ role: 'user', content: 'x' }], {
        schema: InsightSchema,
        schemaName: 'call_insights',
      });
      const after = await provider.health.check(signal);
      expect(JSON.stringify(after.details)).toContain('"outcome":"success"');
      expect(getStandIn().requests).toHaveLength(1);
      await provider.close();
    });
  });
}
