// The recordings API's edges: refused uploads, no provider, no ffmpeg, faults at every step,
// retry, delete, owner isolation, retention, and the WebSocket's protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelinePoint } from '../../../src/modules/recordings/recordings-module.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildRecordingsApp,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
  useRecordingsMedia,
} from './recordings-fixture.js';

const media = useRecordingsMedia('api');

const llm = async () => (await makeLlm(media.standIn, 'azure_openai')).provider;

describe('uploads that are refused', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({ env: { MAX_UPLOAD_MB: '1' }, worker: false });
  });
  afterAll(() => fixture.close());

  it('when the file is not audio, then 415 and nothing is stored', async () => {
    const response = await upload(fixture, {
      data: Buffer.from('%PDF-1.7 not audio at all'),
      filename: 'a.mp3',
    });
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(await blobNames(fixture)).toEqual([]);
    const list = await fixture.app.inject({ method: 'GET', url: '/api/recordings' });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('when the file is over MAX_UPLOAD_MB, then 413 and nothing is stored', async () => {
    const big = Buffer.concat([media.mp3, Buffer.alloc(1024 * 1024 + 10, 0)]);
    const response = await upload(fixture, { data: big });
    expect(response.statusCode).toBe(413);
    expect(await blobNames(fixture)).toEqual([]);
  });

  it('when every accepted signature arrives, then each is recognised by its bytes', async () => {
    const heads: [string, Buffer][] = [
      ['wav', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')])],
      ['m4a', Buffer.concat([Buffer.alloc(4), Buffer.from('ftypM4A ')])],
      ['ogg', Buffer.from('OggS\0\x02')],
      ['webm', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f])],
      ['flac', Buffer.from('fLaC\0\0\0\x22')],
      ['mp3', Buffer.from('ID3\x04\0')],
    ];
    for (const [ext, head] of heads) {
      const response = await upload(fixture, { data: Buffer.concat([head, Buffer.alloc(256, 1)]) });
      expect(response.statusCode, ext).toBe(202);
      const { id } = response.json<{ id: string }>();
      expect(await blobNames(fixture)).toContain(`${id}/original.${ext}`);
    }
  });
});

describe('when no LLM provider is configured', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp();
  });
  afterAll(() => fixture.close());

  it('then the audio is stored and compressed and the recording completes with transcription and insights skipped', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'completed');
    expect(result.stages.compress?.state).toBe('done');
    expect(result.stages.transcribe).toMatchObject({ state: 'skipped', reason: 'no provider configured' });
    expect(result.stages.analyse).toMatchObject({ state: 'skipped', reason: 'no transcript' });
    expect(result.transcript).toBeNull();
    expect(result.cost.totalUsd).toBe(0);
    expect(await blobNames(fixture)).toHaveLength(3);
  });
});

describe('when ffmpeg is missing', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    media.standIn.reset();
    media.standIn.answer = validInsights;
    fixture = await buildRecordingsApp({ env: { FFMPEG_PATH: '/nonexistent/ffmpeg' }, llm: await llm() });
  });
  afterAll(() => fixture.close());

  it('then compression is skipped with a warning, the original is transcribed, and /health is degraded', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'completed');
    expect(result.stages.compress).toMatchObject({ state: 'skipped', reason: 'ffmpeg not available' });
    expect(result.warnings.join()).toContain('compression skipped');
    expect(result.stages.transcribe?.state).toBe('done');
    expect(media.standIn.received('transcriptions')[0]?.file?.size).toBe(media.mp3.length);
    expect(await blobNames(fixture)).toEqual([`${id}/metadata.json`, `${id}/original.mp3`]);
    const health = await fixture.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const body = health.json<{ status: string; dependencies: Record<string, { status: string }> }>();
    expect(body.dependencies.ffmpeg?.status).toBe('degraded');
    expect(body.status).toBe('degraded');
  });
});

describe('when a step fails once', () => {
  const points: PipelinePoint[] = [
    'downloaded',
    'compressed',
    'compressed-uploaded',
    'compress-recorded',
    'transcribed',
    'transcript-recorded',
    'analysed',
    'insights-recorded',
    'metadata-written',
  ];
  // Each recording takes the point current when the pipeline first reaches a fault point for it.
  let current: PipelinePoint = 'downloaded';
  const assigned = new Map<string, PipelinePoint>();
  const failed = new Set<string>();
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    media.standIn.reset();
    media.standIn.answer = validInsights;
    fixture = await buildRecordingsApp({
      llm: await llm(),
      faults: (point, id) => {
        if (!assigned.has(id)) assigned.set(id, current);
        if (assigned.get(id) === point && !failed.has(id)) {
          failed.add(id);
          throw new Error(`injected fault at ${point}`);
        }
      },
    });
  });
  afterAll(() => fixture.close());

  it.each(points)(
    'at %s, then the retry ends with exactly one set of blobs and one result',
    async (point) => {
      current = point;
      const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
      const result = await waitForStatus(fixture, id, 'completed');
      expect(failed.has(id)).toBe(true);
      const names = (await blobNames(fixture)).filter((n) => n.startsWith(id));
      expect(names).toEqual([`${id}/compressed.mp3`, `${id}/metadata.json`, `${id}/original.mp3`]);
      expect(result.insights).toEqual(validInsights);
      expect(result.transcript?.segments).toHaveLength(2);
      // One call's cost is stored, even when the call was made twice.
      expect(result.cost.analysis?.inputTokens).toBe(1200);
      expect(result.cost.transcription?.audioSeconds).toBe(90);
      const list = await fixture.app.inject({ method: 'GET', url: '/api/recordings?limit=100' });
      expect(list.json<{ items: { id: string }[] }>().items.filter((r) => r.id === id)).toHaveLength(1);
    },
  );
});
