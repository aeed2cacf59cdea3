// Uploads cut off mid-body: every multipart route (files, recordings, scans) answers a client that
// stops sending with a 400 problem after UPLOAD_IDLE_TIMEOUT_MS, closes the connection, logs it, and
// leaves nothing behind: no temp file, no blob, no quota charged. A form without a boundary is a 400.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDeadline } from '../helpers/deadline.js';
import { multipartBody, multipartHeaders } from '../helpers/multipart.js';
import { rawConnection, requestHead } from '../helpers/raw-http.js';
import { buildTestApp, type TestAppFor } from '../helpers/test-app.js';
import { buildScansApp, type ScansFixture } from '../modules/scans/scans-fixture.js';

const env = { UPLOAD_IDLE_TIMEOUT_MS: '300', UPLOAD_QUOTA_MB_PER_HOUR: '1', LOG_LEVEL: 'info' };
const boundary = 'stall-boundary';
const kib = 1024;

/** Every blob and temp file under the disk driver's `dir` (its signing key aside). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name !== '.signing-key')
    .map((e) => join(e.parentPath, e.name));
}

/** A multipart head, a file part's first `bytes` (starting with `magic`), and no closing boundary. */
function cutOffBody(options: { field: string; magic: Buffer; bytes: number; before?: string }): Buffer {
  const fields = options.before ?? '';
  const head = `${fields}--${boundary}\r\nContent-Disposition: form-data; name="${options.field}"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const data = Buffer.alloc(options.bytes, 0);
  options.magic.copy(data);
  return Buffer.concat([Buffer.from(head), data]);
}

/** Sends the head and a partial body that promises far more, then stalls. */
async function stalledUpload(base: string, path: string, partial: Buffer) {
  const connection = await rawConnection(base);
  connection.write(
    requestHead(path, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': partial.length + 10 * 1024 * kib,
    }),
  );
  connection.write(partial);
  return answerOf(connection);
}

/**
 * The server's answer to a stalled body; a stall the server never cuts fails here (the idle
 * timeout is 300 ms), saying so and closing the socket, instead of hanging until the runner's timeout.
 */
function answerOf(connection: Awaited<ReturnType<typeof rawConnection>>) {
  return withDeadline(connection.closed, {
    ms: 5000,
    what: 'the server cutting off a stalled upload',
    onExpiry: () => connection.socket.destroy(),
  });
}

function expectStalledAnswer(answer: Awaited<ReturnType<typeof stalledUpload>>) {
  expect(answer?.status).toBe(400);
  expect(answer?.headers['content-type']).toContain('application/problem+json');
  expect(answer?.headers.connection).toBe('close');
  expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ detail: expect.stringContaining('stalled') });
}

const mp3 = Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1');
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
/** A RIFF/WAVE head and nothing after it: 12 bytes, fewer than the 64 the format sniff asks for. */
const wavHead = Buffer.from('RIFF$\0\0\0WAVE', 'latin1');
const cutOffHeaders = { 'content-type': `multipart/form-data; boundary=${boundary}` };

describe('files and recordings uploads', () => {
  let t: TestAppFor<{ modules: ['files', 'recordings'] }>;
  beforeAll(async () => {
    t = await buildTestApp({ modules: ['files', 'recordings'], env, listen: true });
  });
  afterAll(() => t.close());

  it.each([
    ['/api/files', 'file', Buffer.from('plain')],
    ['/api/process-audio', 'audio', mp3],
  ])(
    'when a %s body stops mid-file, then 400, the connection closes, and nothing is kept',
    async (path, field, magic) => {
      const answer = await stalledUpload(t.url, path, cutOffBody({ field, magic, bytes: 300 * kib }));
      expectStalledAnswer(answer);
      expect(t.logs()).toContainEqual(expect.objectContaining({ msg: 'upload stalled', level: 'info' }));
      expect(t.logs()).toContainEqual(expect.objectContaining({ url: path, status: 400 }));
      await expect.poll(() => filesUnder(join(t.dataDir, 'blobs'))).toEqual([]);
    },
  );

  it('when the body stops among the fields, before the file, then it is the same 400', async () => {
    const before = `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nhalf-`;
    const connection = await rawConnection(t.url);
    connection.write(
      requestHead('/api/files', {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': 100_000,
      }),
    );
    connection.write(before);
    expectStalledAnswer(await answerOf(connection));
  });

  it('when the client goes away mid-file, then it is logged at info as the client’s, and nothing is kept', async () => {
    const connection = await rawConnection(t.url);
    connection.write(
      requestHead('/api/files', {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': 10 * 1024 * kib,
      }),
    );
    connection.write(cutOffBody({ field: 'file', magic: Buffer.from('plain'), bytes: 300 * kib }));
    await expect.poll(() => filesUnder(join(t.dataDir, 'blobs'))).not.toEqual([]);
    const before = t.logs().length;
    connection.socket.destroy();
    await expect
      .poll(() => t.logs().slice(before))
      .toContainEqual(expect.objectContaining({ msg: 'upload aborted by the client', level: 'info' }));
    await expect.poll(() => filesUnder(join(t.dataDir, 'blobs'))).toEqual([]);
    const loud = t
      .logs()
      .slice(before)
      .filter((line) => line.level === 'warn' || line.level === 'error');
    expect(loud).toEqual([]);
  });

  it('when multipart/form-data has no boundary, then 400 problem at the edge', async () => {
    for (const url of ['/api/files', '/api/process-audio']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'multipart/form-data' },
        payload: 'whatever',
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ detail: expect.stringContaining('boundary') });
    }
  });
  it('when a complete body is cut off or framed by another boundary, then 400 problem (fuzz findings)', async () => {
    const framedByOther = `--other\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhi\r\n--other--\r\n`;
    for (const url of ['/api/files', '/api/process-audio'])
      for (const payload of ['-', framedByOther]) {
        const response = await t.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          payload,
        });
        expect(response.statusCode, `${url} ${payload}`).toBe(400);
        expect(response.json()).toMatchObject({ detail: expect.stringContaining('malformed or cut off') });
      }
    expect(await filesUnder(t.dataDir)).toEqual([]);
  });

  it('when a complete body’s file part ends before the closing boundary, then 400 problem and nothing is kept (fuzz finding)', async () => {
    // A WAV head and then the end of the body: the parser fails the file before the format sniff
    // has its 64 bytes, which once left the upload waiting for an end that never came.
    const payload = cutOffBody({ field: 'file', magic: wavHead, bytes: wavHead.length });
    for (const url of ['/api/files', '/api/process-audio']) {
      const response = await t.app.inject({ method: 'POST', url, headers: cutOffHeaders, payload });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ detail: expect.stringContaining('malformed or cut off') });
    }
    expect(await filesUnder(t.dataDir)).toEqual([]);
  });

  it.each([
    [
      'a complete WAV shorter than the format sniff arrives whole, then every byte is stored',
      'short.wav',
      { sizeBytes: wavHead.length },
    ],
    [
      'the file’s name holds a NUL, then the recording is kept with a title without it (fuzz finding)',
      'a\0b.wav',
      { title: 'ab.wav' },
    ],
  ])('when %s', async (_when, filename, stored) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/process-audio',
      headers: multipartHeaders,
      payload: multipartBody({ data: wavHead, filename, contentType: 'audio/wav' }),
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject(stored);
  });

  it('when an upload stalls, then none of it is charged to the quota', async () => {
    // Last here, since it uses up the quota (1 MiB; nothing was stored before). 600 KiB passes the
    // quota's first 256 KiB reservation, so a charge would show: 900 KiB more would then cross it.
    const stalled = cutOffBody({ field: 'file', magic: Buffer.from('plain'), bytes: 600 * kib });
    expectStalledAnswer(await stalledUpload(t.url, '/api/files', stalled));
    const full = await fetch(`${t.url}/api/files`, {
      method: 'POST',
      headers: multipartHeaders,
      body: multipartBody({ data: Buffer.alloc(900 * kib, 1) }),
    });
    expect(full.status).toBe(201);
    const { name } = (await full.json()) as { name: string };
    expect((await fetch(`${t.url}/api/files/${name}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('scan uploads', () => {
  let scans: ScansFixture;
  beforeAll(async () => {
    scans = await buildScansApp({ env });
  });
  afterAll(() => scans.close());

  it('when a photo upload stops mid-file, then 400 and nothing is kept', async () => {
    const answer = await stalledUpload(
      scans.url,
      '/api/scans',
      cutOffBody({ field: 'image', magic: jpeg, bytes: 300 * kib }),
    );
    expectStalledAnswer(answer);
    await expect.poll(() => filesUnder(join(scans.settings.DATA_DIR, 'blobs'))).toEqual([]);
  });

  it('when a complete body’s image part ends before the closing boundary, then 400 problem and nothing is kept', async () => {
    const response = await scans.app.inject({
      method: 'POST',
      url: '/api/scans',
      headers: cutOffHeaders,
      payload: cutOffBody({ field: 'image', magic: jpeg, bytes: jpeg.length }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('malformed or cut off') });
    expect(await filesUnder(join(scans.settings.DATA_DIR, 'blobs'))).toEqual([]);
  });
});
