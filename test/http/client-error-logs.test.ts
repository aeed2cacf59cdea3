// Client errors are the client's: a 416 and a malformed WebSocket frame are logged at info with no
// stack trace, and nothing reaches warn or error (which stay for faults of ours).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { multipartBody, multipartHeaders } from '../helpers/multipart.js';
import { buildTestApp, type TestAppFor } from '../helpers/test-app.js';

let t: TestAppFor<{ modules: ['files', 'recordings'] }>;
beforeAll(async () => {
  t = await buildTestApp({ modules: ['files', 'recordings'], env: { LOG_LEVEL: 'info' }, listen: true });
});
afterAll(() => t.close());

const linesOf = (correlationId: string | undefined) =>
  t.logs().filter((line) => correlationId === undefined || line.correlationId === correlationId);
const loud = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line.level === 'warn' || line.level === 'error' || line.level === 'fatal');
const stacks = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => JSON.stringify(line).includes('"stack"'));

describe('client errors in the log', () => {
  it('when a range cannot be satisfied, then 416 is logged at info without a stack', async () => {
    const uploaded = await fetch(`${t.url}/api/files`, {
      method: 'POST',
      headers: multipartHeaders,
      body: multipartBody({ data: Buffer.from('twelve bytes') }),
    });
    const { name } = (await uploaded.json()) as { name: string };
    const response = await fetch(`${t.url}/api/files/${name}`, { headers: { range: 'bytes=999-' } });
    expect(response.status).toBe(416);
    const lines = linesOf(response.headers.get('x-correlation-id') ?? 'none');
    expect(lines).toContainEqual(expect.objectContaining({ status: 416, level: 'info' }));
    expect(loud(lines)).toEqual([]);
    expect(stacks(lines)).toEqual([]);
  });

  it('when a WebSocket frame is malformed, then the socket closes 1007 and one info line says so', async () => {
    const before = t.logs().length;
    const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
    // A text frame that is not UTF-8.
    socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect(await closed).toBe(1007);
    await expect
      .poll(() => t.logs().slice(before))
      .toContainEqual(expect.objectContaining({ msg: 'websocket closed by a client error', level: 'info' }));
    const lines = t.logs().slice(before);
    expect(loud(lines)).toEqual([]);
    expect(stacks(lines)).toEqual([]);
  });
});
