// Uploads built to make ffmpeg read a server file (an HLS playlist behind an `ID3` tag naming
// `file:///…/some.wav`) or loop on itself (an ffconcat list naming itself), against both ffmpegs a
// deployment may run: the WebAssembly build production runs (no ffmpeg on PATH, as on App Service)
// and the system one (Debian's, which CI installs). Each is refused on its first try with a clear
// reason, and nothing of the server file reaches the recording.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressArgs, confinedArgs } from '../../../src/modules/recordings/ffmpeg.js';
import {
  blobNames,
  buildRecordingsApp,
  makeTone,
  upload,
  useRecordingsMedia,
  waitForStatus,
  type RecordingsFixture,
} from './recordings-fixture.js';

/** An ID3v2.4 header with an empty tag: what passes the upload's MP3 sniff. */
const ID3 = Buffer.from([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0]);

const hlsPayload = (secret: string): Buffer =>
  Buffer.concat([
    ID3,
    Buffer.from(
      `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://${secret}\n#EXT-X-ENDLIST\n`,
    ),
  ]);

/** Names `original.mp3`, the name the pipeline gives the upload in its job directory: itself. */
const ffconcatPayload = (): Buffer =>
  Buffer.concat([ID3, Buffer.from('ffconcat version 1.0\nfile original.mp3\nfile original.mp3\n')]);

interface FfmpegHealth {
  status: string;
  details?: { path: string; source: string; version: string };
}

describe('the arguments of every ffmpeg run', () => {
  it('force the demuxer of the detected format, allow only files, never read stdin, cap the output', () => {
    const args = compressArgs({ path: '/job/original.mp3', ext: 'mp3' }, '/job/compressed.mp3', 40, 1000);
    const input = args.indexOf('-i');
    expect(args[input + 1]).toBe('file:original.mp3');
    expect(args.slice(0, input)).toEqual(
      expect.arrayContaining(['-nostdin', '-protocol_whitelist', 'file', '-f', 'mp3']),
    );
    expect(args[args.indexOf('-protocol_whitelist') + 1]).toBe('file');
    expect(args[args.indexOf('-f') + 1]).toBe('mp3');
    expect(args[args.indexOf('-fs') + 1]).toBe('1000');
    expect(confinedArgs({ path: '/job/a.m4a', ext: 'm4a' }, '/job')).toContain('mov');
  });

  it('refuse a file outside the job directory', () => {
    expect(() => compressArgs({ path: '/job/original.mp3', ext: 'mp3' }, '/etc/out.mp3', 40, 1000)).toThrow(
      /only given files of the job directory/,
    );
  });
});

describe.each<{ binary: string; env: Record<string, string> }>([
  // A bare name that runs nowhere: the worker falls back to the WebAssembly build, as on App Service.
  { binary: 'wasm', env: { FFMPEG_PATH: 'ffmpeg-not-installed-here' } },
  { binary: 'system', env: {} },
])('with the $binary ffmpeg', ({ binary, env }) => {
  const media = useRecordingsMedia(`hostile-${binary}`);
  let fixture: RecordingsFixture;
  let secret: string;

  beforeAll(async () => {
    // The server file: ten seconds of a tone no upload here has, outside any job directory.
    secret = await makeTone(media.dir, { seconds: 10, format: 'wav', frequency: 1234, name: 'some.wav' });
    // Three attempts an hour apart: a recording failed within the test was refused on its first.
    fixture = await buildRecordingsApp({
      env: { ...env, RECORDINGS_JOB_ATTEMPTS: '3', RECORDINGS_RETRY_DELAY_MS: '3600000' },
    });
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('then /health names the binary, its source and version', async () => {
    const health = await fixture.app.inject({ method: 'GET', url: '/health' });
    const ffmpeg = health.json<{ dependencies: Record<string, FfmpegHealth> }>().dependencies.ffmpeg;
    expect(ffmpeg?.status).toBe('healthy');
    expect(ffmpeg?.details?.source).toBe(binary);
    expect(ffmpeg?.details?.version).toMatch(/^\d+\.\d+/);
    if (binary === 'wasm') expect(ffmpeg?.details?.path).toContain('@ffmpeg/core');
  });

  it('then a real recording is compressed', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'completed');
    expect(result.stages.compress?.state).toBe('done');
    expect(result.compressedBytes).toBeGreaterThan(0);
    expect(result.durationSeconds).toBeGreaterThan(0.5);
  });

  it.each([
    { payload: 'an HLS playlist behind an ID3 tag', data: () => hlsPayload(secret) },
    { payload: 'an ffconcat list naming itself', data: ffconcatPayload },
  ])('then $payload fails on its first try, with a reason, and nothing of the server', async ({ data }) => {
    const response = await upload(fixture, { data: data() });
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json<{ id: string }>();
    const result = await waitForStatus(fixture, id, 'failed');
    expect(result.error).toMatch(/^compress: ffmpeg compression failed: the audio is not readable as mp3/);
    expect(result.stages.compress?.state).toBe('failed');
    expect(result.compressedBytes).toBeNull();
    expect(result.durationSeconds).toBeNull();
    expect(await blobNames(fixture)).not.toContain(`${id}/compressed.mp3`);
  });
});
