// Errors Fastify and Node answer themselves (a URL that does not decode, an over-long path
// segment, unreadable bodies, an over-long header block, a malformed request line) are problems
// like every other: application/problem+json, a correlation id, and the security headers.
import { connect } from 'node:net';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppModule } from '../../src/http/app-types.js';
import { correlationHeader } from '../../src/platform/telemetry/correlation-id.js';
import { buildTestApp, testJwtSecret, type TestApp } from '../helpers/test-app.js';

/**
 * Written out here, not taken from security-headers.ts: a header dropped from (or weakened in) the
 * module's constant must fail this test, which comparing against that constant never could.
 */
const expectedSecurityHeaders = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const probe: AppModule = async (app) => {
  app.post(
    '/things/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ name: Type.String() }),
        response: { 200: Type.Object({ name: Type.String() }) },
      },
    },
    (request) => request.body,
  );
  // An answer that has begun and stays open, as an event stream does.
  app.get('/open', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('first\n');
  });
};

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

function expectProblem(answer: Answer, status: number): Record<string, unknown> {
  expect(answer.statusCode, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, correlationId: answer.headers[correlationHeader] });
  expect(problem.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  for (const [name, value] of Object.entries(expectedSecurityHeaders))
    expect(answer.headers[name], name).toBe(value);
  return problem;
}

/** Writes raw bytes to the server and reads the whole answer (the server closes the socket). */
function rawExchange(url: string, bytes: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ statusCode: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('framework errors are problems', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      modules: [probe],
      listen: true,
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret, API_BODY_LIMIT_BYTES: '64' },
    });
  });
  afterAll(() => t.close());

  it('when a URL holds an escape that does not decode, then it is a 400 problem that does not echo it', async () => {
    const problem = expectProblem(await t.app.inject('/things/%c0%ae'), 400);
    expect(problem.detail).toBe('The URL holds an escape sequence that does not decode.');
  });

  it('when a path segment is over-long, then it is a 414 problem', async () => {
    expectProblem(await t.app.inject({ method: 'POST', url: `/things/${'a'.repeat(200)}` }), 414);
  });

  it('when a body is malformed, too large or of a type nobody parses, then it is a 400, 413 or 415 problem', async () => {
    const post = (payload: string, type: string) =>
      t.app.inject({ method: 'POST', url: '/things/1', payload, headers: { 'content-type': type } });
    expectProblem(await post('{"name": ', 'application/json'), 400);
    expectProblem(await post(JSON.stringify({ name: 'x'.repeat(100) }), 'application/json'), 413);
    expectProblem(await post('name=x', 'application/x-www-form-urlencoded'), 415);
    expectProblem(await post('{"__proto__": {"x": 1}, "name": "x"}', 'application/json'), 400);
  });

  it('when the Authorization header is malformed, then the 401 carries the security headers too', async () => {
    expectProblem(await t.app.inject({ url: '/things/1', headers: { authorization: 'Bearer ' } }), 401);
  });

  it('when the header block is over the limit, then Node’s 431 is a problem', async () => {
    const answer = await rawExchange(
      t.url,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectProblem(answer, 431);
    expect(answer.headers.connection).toBe('close');
  });

  it('when the request line is not HTTP, then it is a 400 problem', async () => {
    expectProblem(await rawExchange(t.url, 'GARBAGE\r\n\r\n'), 400);
  });

  it('when garbage follows a request whose answer has begun, then the socket closes without a 400 inside that answer', async () => {
    const { hostname, port } = new URL(t.url);
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () =>
        socket.write('GET /open HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        if (!text.includes('first')) {
          text += chunk.toString('latin1');
          if (text.includes('first')) socket.write('GARBAGE\r\n\r\n');
        } else text += chunk.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).not.toContain('HTTP/1.1 400');
  });
});
