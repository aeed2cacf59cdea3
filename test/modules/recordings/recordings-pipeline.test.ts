// The whole pipeline in one process: real ffmpeg, the disk blob driver, PGlite, the Azure OpenAI
// stand-in, and a WebSocket client watching every stage.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildRecordingsApp,
  connect,
  detail,
  makeTone,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
  useRecordingsMedia,
} from './recordings-fixture.js';

const media = useRecordingsMedia('audio', { seconds: 3 });
let wav: Buffer;

beforeAll(async () => {
  wav = await readFile(await makeTone(media.dir, { seconds: 2, format: 'wav' }));
});

describe('recordings pipeline (disk, PGlite, stand-in)', () => {
  let fixture: RecordingsFixture;

  beforeAll(async () => {
    media.standIn.reset();
    media.standIn.answer = validInsights;
    fixture = await buildRecordingsApp({ llm: (await makeLlm(media.standIn, 'azure_openai')).provider });
  });
  afterAll(() => fixture.close());

  it('when an mp3 is posted, then a WebSocket client sees every stage in order and the blobs follow seed 002', async () => {
    const client = await connect(fixture);
    const response = await upload(fixture, {
      data: media.mp3,
      fields: { title: 'Weekly call', language: 'en' },
    });
    expect(response.statusCode, response.body).toBe(202);
    const accepted = response.json<{ id: string; status: string }>();
    expect(accepted.status).toBe('queued');
    client.send({ type: 'subscribe', recordingId: accepted.id });

    await expect.poll(() => client.messages.at(-1)?.type, { timeout: 60_000 }).toBe('completed');
    await client.close();
    const statuses = client.messages.map((m) => m.status);
    // Every stage, in order (the first message, the state at subscribe time, may be past queued).
    const order = ['queued', 'compressing', 'transcribing', 'analysing', 'completed'];
    for (const status of order.slice(1)) expect(statuses, status).toContain(status);
    const indexes = statuses.map((s) => order.indexOf(String(s)));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    const versions = client.messages.map((m) => Number(m.version));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(client.messages.filter((m) => m.type === 'completed')).toHaveLength(1);
    for (const stage of ['compress', 'transcribe', 'analyse'])
      expect(
        client.messages.some((m) => m.stage === stage && m.percent === 100),
        stage,
      ).toBe(true);

    const result = await detail(fixture, accepted.id);
    expect(result.status).toBe('completed');
    expect(result.stages.compress?.state).toBe('done');
    expect(result.stages.transcribe?.state).toBe('done');
    expect(result.stages.analyse?.state).toBe('done');
    expect(result.durationSeconds).toBeGreaterThan(2.5);
    expect(result.durationSeconds).toBeLessThan(3.5);
    expect(result.compressedBytes).toBeGreaterThan(0);
    expect(result.compressedBytes).toBeLessThan(media.mp3.length);
    expect(result.transcript?.text).toBe('Hello there. Thanks for calling.');
    expect(result.insights).toEqual(validInsights);
    expect(result.cost.transcription?.audioSeconds).toBeGreaterThan(0);
    expect(result.cost.analysis?.inputTokens).toBe(1200);
    expect(result.cost.totalUsd).toBeCloseTo(
      (result.cost.transcription?.usd ?? 0) + (result.cost.analysis?.usd ?? 0),
      6,
    );
    expect(await blobNames(fixture)).toEqual([
      `${accepted.id}/compressed.mp3`,
      `${accepted.id}/metadata.json`,
      `${accepted.id}/original.mp3`,
    ]);

    // The provider got the compressed audio (mono mp3) and the language.
    const sent = media.standIn.received('transcriptions');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.fields?.language).toBe('en');
    expect(sent[0]?.file?.size).toBe(result.compressedBytes);

    const metadata = JSON.parse(
      (
        await fixture.bundle.store.downloadBuffer({
          container: fixture.container,
          name: `${accepted.id}/metadata.json`,
        })
      ).toString('utf8'),
    ) as Record<string, unknown>;
    expect(metadata).toMatchObject({ id: accepted.id, title: 'Weekly call', insights: validInsights });

    // Disk driver: signed links served by the files module (the Azurite suite fetches real SAS links).
    expect(result.links.original).toContain(`${accepted.id}/original.mp3`);
    expect(result.links.original).toContain('sig=');
    expect(result.links.compressed).toContain('compressed.mp3');
    expect(result.links.metadata).toContain('metadata.json');
  });

  it('when a wav is posted, then it is stored as original.wav and compressed to mp3', async () => {
    const response = await upload(fixture, { data: wav, filename: 'memo.wav' });
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'completed');
    expect(result.compressedBytes).toBeLessThan(wav.length);
    expect(await blobNames(fixture)).toContain(`${id}/original.wav`);
  });

  it('when the audio is larger than the transcription limit, then it is cut into pieces and the timings are joined', async () => {
    const small = await buildRecordingsApp({
      llm: (await makeLlm(media.standIn, 'azure_openai')).provider,
      chunkBytes: 8 * 1024,
    });
    try {
      media.standIn.reset();
      media.standIn.answer = validInsights;
      media.standIn.transcription.segments = [
        { start: 0, end: 0.4, text: ' Hello there.' },
        { start: 0.4, end: 0.8, text: ' Thanks for calling.' },
      ];
      const long = await readFile(await makeTone(media.dir, { seconds: 8, format: 'mp3', name: 'long.mp3' }));
      const { id } = (await upload(small, { data: long })).json<{ id: string }>();
      const result = await waitForStatus(small, id, 'completed');
      const pieces = media.standIn.received('transcriptions');
      expect(pieces.length).toBeGreaterThan(1);
      expect(result.transcript?.chunks).toBe(pieces.length);
      for (const piece of pieces) expect(piece.file?.size).toBeLessThanOrEqual(8 * 1024);
      // Each piece's segments are shifted by where the piece starts: strictly later each time.
      const starts = (result.transcript?.segments ?? []).map((s) => s.start);
      expect(starts).toHaveLength(2 * pieces.length);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(starts.at(-2)).toBeGreaterThan(0);
      // Later pieces are prompted with the text before them.
      expect(pieces[1]?.fields?.prompt).toContain('Thanks for calling.');
      expect(result.transcript?.text.split('Hello there.').length).toBe(pieces.length + 1);
    } finally {
      await small.close();
    }
  });
});
