// PUT /api/files/* streams the raw body to storage: a client that stops sending is cut off after
// UPLOAD_IDLE_TIMEOUT_MS with a 400 (as multipart uploads are), not held until the 300 s request
// timeout with its temp file open; one that leaves mid-body is logged at info, as the client's.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnection, requestHead } from '../../helpers/raw-http.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

const kib = 1024;

/** Every file under the disk driver's blobs (its signing key aside): temp files included. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name !== '.signing-key')
    .map((e) => join(e.parentPath, e.name));
}

describe('a raw PUT upload cut off mid-body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      modules: ['files'],
      env: { UPLOAD_IDLE_TIMEOUT_MS: '300', LOG_LEVEL: 'info' },
      listen: true,
    });
  });
  afterAll(() => t.close());

  const start = async (name: string) => {
    const connection = await rawConnection(t.url);
    connection.write(
      requestHead(`/api/files/${name}`, {
        'content-type': 'application/octet-stream',
        'content-length': 10 * 1024 * kib,
      }).replace(/^POST /, 'PUT '),
    );
    connection.write(Buffer.alloc(300 * kib, 1));
    return connection;
  };

  it('when the client stops sending, then 400 problem after the idle timeout, and no temp file is left', async () => {
    const connection = await start('stalled.bin');
    const answer = await Promise.race([
      connection.closed,
      new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000)),
    ]);
    if (answer === 'still open') connection.socket.destroy();
    expect(answer, 'the stalled PUT was not cut off').not.toBe('still open');
    expect(answer).toMatchObject({ status: 400, headers: { connection: 'close' } });
    expect(JSON.parse(answer === 'still open' ? '{}' : (answer?.body ?? '{}'))).toMatchObject({
      detail: expect.stringContaining('stalled'),
    });
    await expect.poll(() => filesUnder(join(t.dataDir, 'blobs'))).toEqual([]);
  });

  it('when the client goes away, then it is logged at info with no stack, and nothing is kept', async () => {
    const connection = await start('gone.bin');
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
      .filter((line) => line.level === 'warn' || line.level === 'error' || 'err' in line);
    expect(loud).toEqual([]);
  });
});
