// Strict request bodies, one route per module: an unknown field is a 400 naming it (Fastify's
// default would strip it silently), and a JSON body carrying `__proto__` or `constructor` is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp, type TestAppFor } from '../helpers/test-app.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;
import { pgliteFixture } from '../modules/stars/helpers/store-fixtures.js';
import { multipartBody, multipartHeaders } from '../helpers/multipart.js';
import {
  buildRecordingsApp,
  upload,
  type RecordingsFixture,
} from '../modules/recordings/recordings-fixture.js';

function expectUnknownField(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  field: string,
) {
  expect(response.statusCode).toBe(400);
  expect(response.headers['content-type']).toMatch(/problem\+json/);
  expect(response.json()).toMatchObject({
    detail: `Invalid body field "${field}": is not a known field.`,
    errors: [{ in: 'body', path: `/${field}`, message: 'is not a known field' }],
  });
}

describe('stars', () => {
  const store = pgliteFixture();
  let t: StarsApp;
  beforeAll(async () => {
    await store.start();
    t = await buildTestApp({ modules: ['stars'], stars: { store: await store.make() } });
  });
  afterAll(async () => {
    await t.close();
    await store.stop();
  });

  it('when a star is created with ttl_seconds instead of ttlSeconds, then 400 names ttl_seconds', async () => {
    const user = await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } });
    const userId = user.json<{ id: string }>().id;
    const response = await t.app.inject({
      method: 'POST',
      url: '/stars',
      payload: { userId, name: 'Vega', ra: 10, dec: 20, ttl_seconds: 60 },
    });
    expectUnknownField(response, 'ttl_seconds');
  });

  it.each(['__proto__', 'constructor'])(
    'when a JSON body has a %s key, then 400 problem+json',
    async (key) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'content-type': 'application/json' },
        payload: `{"name":"Ada","${key}":{"prototype":{"isAdmin":true},"isAdmin":true}}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(response.json()).toMatchObject({ status: 400 });
    },
  );
});

describe('files', () => {
  let f: TestApp;
  beforeAll(async () => {
    f = await buildTestApp({ modules: ['files'] });
  });
  afterAll(async () => {
    await f.close();
  });

  it('when a link is asked for with expires_in instead of expiresInSeconds, then 400 names expires_in', async () => {
    const response = await f.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: { name: 'a.txt', permissions: 'r', expires_in: 60 },
    });
    expectUnknownField(response, 'expires_in');
  });

  it('when an upload form has an unknown field, then 400 names it', async () => {
    const response = await f.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: multipartHeaders,
      payload: multipartBody({ fields: { filename: 'x.txt' }, data: Buffer.from('hello') }),
    });
    expectUnknownField(response, 'filename');
  });
});

describe('recordings', () => {
  let r: RecordingsFixture;
  beforeAll(async () => {
    r = await buildRecordingsApp({ worker: false });
  });
  afterAll(async () => {
    await r.close();
  });

  it('when an upload form has a misspelt field, then 400 names it', async () => {
    const response = await upload(r, { data: Buffer.from('ID3'), fields: { titel: 'Standup' } });
    expectUnknownField(response, 'titel');
  });
});
