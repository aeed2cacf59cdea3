// One name, one file: the NFC and NFD spellings of `café.txt` (macOS sends the second) address the
// same blob for upload, download, HEAD, listing and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

const nfc = 'unicode/caf\u00e9.txt';
const nfd = 'unicode/cafe\u0301.txt';
const path = (name: string) => `/api/files/${name.split('/').map(encodeURIComponent).join('/')}`;

describe('file names in two Unicode forms', () => {
  let fixture: TestApp;
  beforeAll(async () => {
    fixture = await buildTestApp({ modules: ['files'] });
  });
  afterAll(() => fixture.close());

  const put = (name: string, body: string) =>
    fixture.app.inject({
      method: 'PUT',
      url: path(name),
      headers: { 'content-type': 'text/plain' },
      payload: body,
    });

  it('when a file is written as NFC and again as NFD, then it is one file, read by either spelling', async () => {
    expect((await put(nfc, 'first')).statusCode).toBe(201);
    expect((await put(nfd, 'second')).statusCode).toBe(201);
    for (const name of [nfc, nfd]) {
      const get = await fixture.app.inject({ url: path(name) });
      expect(get.statusCode, name).toBe(200);
      expect(get.body).toBe('second');
    }
    const list = await fixture.app.inject({ url: `/api/files?prefix=${encodeURIComponent('unicode/')}` });
    expect(list.json<{ items: { name: string }[] }>().items.map((item) => item.name)).toEqual([nfc]);
    const byNfdPrefix = await fixture.app.inject({
      url: `/api/files?prefix=${encodeURIComponent('unicode/cafe\u0301')}`,
    });
    expect(byNfdPrefix.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await fixture.app.inject({ method: 'DELETE', url: path(nfd) })).statusCode).toBe(204);
    expect((await fixture.app.inject({ url: path(nfc) })).statusCode).toBe(404);
  });
});
