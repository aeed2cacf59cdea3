// The OpenAPI document of the whole API (every module, AUTH_MODE=jwt) is usable from /docs: a
// request body wherever an operation takes one, the bearer scheme wherever a token is needed,
// and a description on every response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerRule } from '../../src/http/caller.js';
import { buildTestApp, testJwtSecret, type TestApp } from '../helpers/test-app.js';
import { pgliteFixture } from '../modules/stars/helpers/store-fixtures.js';

interface Operation {
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  security?: Record<string, string[]>[];
  responses: Record<string, { description?: string }>;
}
type Document = { info: { description: string }; paths: Record<string, Record<string, Operation>> };

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head'];

describe('the OpenAPI document (every module, AUTH_MODE=jwt)', () => {
  const stars = pgliteFixture();
  let t: TestApp;
  let document: Document;
  beforeAll(async () => {
    await stars.start();
    t = await buildTestApp({
      modules: ['files', 'stars', 'recordings'],
      stars: { store: await stars.make() },
      recordings: { worker: false },
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret },
    });
    document = (await t.app.inject('/openapi.json')).json<Document>();
    // Two embedded databases start here (stars and recordings): slow on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await t.close();
    await stars.stop();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => methods.includes(method))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );

  it('when an operation takes a body, then it has a requestBody, multipart uploads included', () => {
    const upload = document.paths['/api/files']?.post?.requestBody?.content['multipart/form-data'];
    expect(Object.keys(upload?.schema.properties ?? {})).toEqual(['name', 'file']);
    const audio = document.paths['/api/process-audio']?.post?.requestBody?.content['multipart/form-data'];
    expect(Object.keys(audio?.schema.properties ?? {})).toEqual(['title', 'language', 'file']);
    expect(document.paths['/api/files/{*}']?.put?.requestBody).toBeDefined();
    for (const name of ['POST /stars', 'POST /users', 'PUT /users/{user_id}', 'POST /api/files/sas']) {
      const operation = operations().find((o) => o.name === name)?.operation;
      expect(operation?.requestBody, name).toBeDefined();
    }
  });

  it('when an operation can answer 401, then it names the bearer scheme', () => {
    const guarded = operations().filter(({ operation }) => '401' in operation.responses);
    expect(guarded.length).toBeGreaterThan(15);
    for (const { name, operation } of guarded) {
      expect(operation.security, name).toEqual(expect.arrayContaining([{ bearer: [] }]));
    }
    expect(document.paths['/stars']?.get?.security).toBeUndefined();
  });

  it('then every response is described, and the caller rule is stated once', () => {
    for (const { name, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.description, `${name} ${status}`).toBeTruthy();
        expect(response.description, `${name} ${status}`).not.toBe('Default Response');
      }
    }
    expect(document.info.description).toContain(callerRule);
  });

  it('then /docs serves the page', async () => {
    const docs = await t.app.inject('/docs');
    expect(docs.statusCode).toBeLessThan(400);
  });
});
