// One cursor rule for every list: a cursor the list did not hand out is a 400 problem, never a
// 200 with an empty page; one it did hand out leads to the next page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/platform/paging/page-cursor.js';
import { buildFuzzApp, type FuzzApp } from '../fuzz/fuzz-app.js';

const lists = [
  '/stars',
  '/stars/active',
  '/stars/popular',
  '/users',
  '/api/files',
  '/api/recordings',
  '/api/scans',
];

const garbage = [
  'garbage',
  '%c3%28',
  encodeCursor({}),
  encodeCursor({ id: 'not-a-uuid' }),
  Buffer.from('[1,2]').toString('base64url'),
  Buffer.from('null').toString('base64url'),
];

describe('list cursors', () => {
  let dataDir: string;
  let fuzz: FuzzApp;
  let authorization: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'azimuth-cursors-'));
    fuzz = await buildFuzzApp(dataDir);
    authorization = (await fuzz.t.auth('cursor-admin', ['admin'])).authorization;
  }, 120_000);
  afterAll(async () => {
    await fuzz.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(lists)('when %s gets a cursor it did not hand out, then it is a 400 problem', async (list) => {
    for (const cursor of garbage) {
      const response = await fuzz.t.app.inject({
        url: `${list}?cursor=${encodeURIComponent(cursor)}`,
        headers: { authorization },
      });
      expect(response.statusCode, `${list} ${cursor}: ${response.body}`).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ detail: 'The cursor is not valid; start again without one.' });
    }
  });

  it.each(lists)(
    'when %s gets limit=1e309 (Infinity once coerced), then it is a 400 problem',
    async (list) => {
      const response = await fuzz.t.app.inject({ url: `${list}?limit=1e309`, headers: { authorization } });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ detail: 'limit must be a finite number.' });
    },
  );

  it('when files are listed page by page, then the cursor handed out leads through every file', async () => {
    const boundary = 'cursors';
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      const upload = await fuzz.t.app.inject({
        method: 'POST',
        url: '/api/files',
        headers: { authorization, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\npaged/${name}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--${boundary}--\r\n`,
      });
      expect(upload.statusCode, upload.body).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await fuzz.t.app.inject({
        url: `/api/files?prefix=paged/&limit=2${query}`,
        headers: { authorization },
      });
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json<{ items: { name: string }[]; nextCursor: string | null }>();
      seen.push(...body.items.map((item) => item.name));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen.map((name) => name.split('/').at(-1))).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });
});
