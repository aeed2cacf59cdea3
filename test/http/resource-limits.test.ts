// Limits against one client using up an instance: a body limit on every JSON route (from the
// OpenAPI document, so a new route is covered), slow headers cut (slowloris), and a per-client cap
// on open event streams and WebSockets with a clear refusal (429 problem; WebSocket close 1008).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawConnection } from '../helpers/raw-http.js';
import { buildTestApp, type TestAppFor } from '../helpers/test-app.js';
import { openRawStream } from '../modules/stars/helpers/raw-stream.js';
import { pgliteFixture } from '../modules/stars/helpers/store-fixtures.js';

const fixture = pgliteFixture();
let t: TestAppFor<{ modules: ['files', 'stars', 'recordings'] }>;

beforeAll(async () => {
  await fixture.start();
  t = await buildTestApp({
    modules: ['files', 'stars', 'recordings'],
    stars: { store: await fixture.make() },
    env: { API_BODY_LIMIT_BYTES: '2000', API_HEADERS_TIMEOUT_MS: '500', API_MAX_STREAMS_PER_CLIENT: '2' },
    listen: true,
  });
});
afterAll(async () => {
  await t.close();
  await fixture.stop();
});

interface Operation {
  requestBody?: { content?: Record<string, unknown> };
}

describe('body limit', () => {
  it('when any JSON route gets a body over API_BODY_LIMIT_BYTES, then 413 problem', async () => {
    const document = (await t.app.inject('/openapi.json')).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    const jsonRoutes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody?.content?.['application/json'] !== undefined)
        .map(([method]) => ({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'x') })),
    );
    expect(jsonRoutes.length).toBeGreaterThan(5);
    const payload = JSON.stringify({ name: 'a'.repeat(3000) });
    for (const route of jsonRoutes) {
      const response = await t.app.inject({
        method: route.method as 'POST',
        url: route.url,
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(413);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('slow clients', () => {
  it('when headers trickle in slower than API_HEADERS_TIMEOUT_MS, then the server answers 408 and closes', async () => {
    const connection = await rawConnection(t.url);
    connection.write('GET /health/liveness HTTP/1.1\r\nHost: localhost\r\n');
    let closed = false;
    void connection.closed.then(() => (closed = true));
    // One header byte every 100 ms: each arrives well within any idle timeout, the whole never.
    const trickle = setInterval(() => {
      if (!closed) connection.write('x');
    }, 100);
    const answer = await connection.closed;
    clearInterval(trickle);
    expect(answer?.status).toBe(408);
  });
});

describe('streams per client', () => {
  it('when a client holds the most streams, then another stream is 429 and a WebSocket is closed 1008; a freed slot is reusable', async () => {
    const base = t.url;
    const [first, second] = await Promise.all([
      openRawStream(`${base}/events/stars/stream`),
      openRawStream(`${base}/events/users/stream`),
    ]);
    const refused = await fetch(`${base}/events/stars/stream`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await refused.json()).toMatchObject({ detail: expect.stringContaining('2 event streams') });

    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      socket.once('close', (c: number, r: Buffer) => resolve([c, r.toString()])),
    );
    expect(code).toBe(1008);
    expect(reason).toContain('at most 2 per client');

    first.close();
    await expect
      .poll(async () => {
        const again = await openRawStream(`${base}/events/stars/stream`);
        again.close();
        return again.response.statusCode;
      })
      .toBe(200);
    second.close();
  });
});
