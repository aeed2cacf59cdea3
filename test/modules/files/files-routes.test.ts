// The files API through app.inject, on the disk driver (and Azure via Azurite where the
// driver matters): upload, ranged download, HEAD, DELETE, listing, links, auth and limits.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../../src/platform/auth/mint-token.js';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { multipartBody, multipartHeaders } from '../../helpers/multipart.js';
import { buildTestApp, testJwtSecret, type TestApp } from '../../helpers/test-app.js';

const upload = (
  fixture: TestApp,
  options: Parameters<typeof multipartBody>[0],
  headers: Record<string, string> = {},
) =>
  fixture.app.inject({
    method: 'POST',
    url: '/api/files',
    headers: { ...multipartHeaders, ...headers },
    payload: multipartBody(options),
  });

describe('files API (disk driver, AUTH_MODE=none)', () => {
  let fixture: TestApp;
  beforeAll(async () => {
    fixture = await buildTestApp({ modules: ['files'] });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('when a file is uploaded without a name, then it is stored as {uuid}/{file name} and served back with its headers', async () => {
    const response = await upload(fixture, {
      filename: 'C:\\Users\\ada\\photo 1.jpg',
      contentType: 'image/jpeg',
      data: Buffer.from('0123456789'),
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<{
      name: string;
      size: number;
      contentType: string;
      etag: string;
      url: string;
    }>();
    expect(body.name).toMatch(/^[0-9a-f-]{36}\/photo 1\.jpg$/);
    expect(body).toMatchObject({ size: 10, contentType: 'image/jpeg' });
    expect(response.headers.location).toBe(`/api/files/${body.name.replace(' ', '%20')}`);

    const get = await fixture.app.inject({ url: `/api/files/${encodeURI(body.name)}` });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('0123456789');
    expect(get.headers).toMatchObject({
      'content-type': 'image/jpeg',
      etag: body.etag,
      'accept-ranges': 'bytes',
      'content-length': '10',
    });
    expect(new Date(String(get.headers['last-modified'])).getTime()).toBeGreaterThan(0);

    const ranged = await fixture.app.inject({
      url: `/api/files/${encodeURI(body.name)}`,
      headers: { range: 'bytes=2-5' },
    });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.body).toBe('2345');
    expect(ranged.headers['content-range']).toBe('bytes 2-5/10');
    const suffix = await fixture.app.inject({
      url: `/api/files/${encodeURI(body.name)}`,
      headers: { range: 'bytes=-3' },
    });
    expect([suffix.statusCode, suffix.body, suffix.headers['content-range']]).toEqual([
      206,
      '789',
      'bytes 7-9/10',
    ]);
    const open = await fixture.app.inject({
      url: `/api/files/${encodeURI(body.name)}`,
      headers: { range: 'bytes=8-' },
    });
    expect([open.statusCode, open.body]).toEqual([206, '89']);
    const past = await fixture.app.inject({
      url: `/api/files/${encodeURI(body.name)}`,
      headers: { range: 'bytes=10-' },
    });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-type']).toContain('application/problem+json');

    const head = await fixture.app.inject({ method: 'HEAD', url: `/api/files/${encodeURI(body.name)}` });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers).toMatchObject({
      'content-length': '10',
      etag: body.etag,
      'content-type': 'image/jpeg',
    });
  });

  it('when a name field precedes the file, then that name (with slashes) is used', async () => {
    const response = await upload(fixture, {
      fields: { name: 'reports/2026/q1.txt' },
      data: Buffer.from('q1'),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ name: 'reports/2026/q1.txt', size: 2 });
    expect((await fixture.app.inject({ url: '/api/files/reports/2026/q1.txt' })).body).toBe('q1');
  });

  it('when the name breaks a naming rule, then 400 names the rule', async () => {
    const response = await upload(fixture, { fields: { name: 'bad/../name' }, data: Buffer.from('x') });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ detail: string }>().detail).toContain('".." path segments');
  });

  it('when the body is not multipart or has no file, then 415 or 400', async () => {
    const json = await fixture.app.inject({ method: 'POST', url: '/api/files', payload: { a: 1 } });
    expect(json.statusCode).toBe(415);
    const empty = await fixture.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: multipartHeaders,
      payload: `--${multipartHeaders['content-type'].split('boundary=')[1] ?? ''}--\r\n`,
    });
    expect(empty.statusCode).toBe(400);
  });

  it('when a file is deleted, then 204, and 204 again when it is already gone', async () => {
    await upload(fixture, { fields: { name: 'tmp/delete-me.txt' }, data: Buffer.from('x') });
    expect(
      (await fixture.app.inject({ method: 'DELETE', url: '/api/files/tmp/delete-me.txt' })).statusCode,
    ).toBe(204);
    expect((await fixture.app.inject({ url: '/api/files/tmp/delete-me.txt' })).statusCode).toBe(404);
    expect(
      (await fixture.app.inject({ method: 'DELETE', url: '/api/files/tmp/delete-me.txt' })).statusCode,
    ).toBe(204);
  });

  it('when files are listed by prefix with a limit, then pages chain through nextCursor', async () => {
    for (const n of ['a', 'b', 'c'])
      await upload(fixture, { fields: { name: `listing/${n}.txt` }, data: Buffer.from(n) });
    const first = await fixture.app.inject({ url: '/api/files?prefix=listing/&limit=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{ items: { name: string; size: number }[]; nextCursor: string | null }>();
    expect(page1.items.map((i) => i.name)).toEqual(['listing/a.txt', 'listing/b.txt']);
    expect(page1.nextCursor).not.toBeNull();
    const second = await fixture.app.inject({
      url: `/api/files?prefix=listing/&limit=2&cursor=${encodeURIComponent(page1.nextCursor ?? '')}`,
    });
    const page2 = second.json<{ items: { name: string }[]; nextCursor: string | null }>();
    expect(page2).toMatchObject({ items: [{ name: 'listing/c.txt' }], nextCursor: null });
    expect((await fixture.app.inject({ url: '/api/files?limit=0' })).statusCode).toBe(400);
  });

  it('when a signed link is issued, then GET serves it, with content-disposition; tampered, expired-scope or wrong-permission use is 403', async () => {
    await upload(fixture, {
      fields: { name: 'shared/report.pdf' },
      contentType: 'application/pdf',
      data: Buffer.from('%PDF'),
    });
    const issued = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: {
        name: 'shared/report.pdf',
        permissions: 'r',
        expiresInSeconds: 600,
        contentDisposition: 'attachment; filename="r.pdf"',
      },
    });
    expect(issued.statusCode).toBe(200);
    const { url, expiresOn } = issued.json<{ url: string; expiresOn: string }>();
    expect(new Date(expiresOn).getTime()).toBeGreaterThan(Date.now());
    const link = new URL(url);
    const path = `${link.pathname}${link.search}`;
    const get = await fixture.app.inject({ url: path });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('%PDF');
    expect(get.headers['content-disposition']).toBe('attachment; filename="r.pdf"');

    const tampered = new URL(url);
    tampered.searchParams.set('se', String(Number(tampered.searchParams.get('se')) + 3600));
    expect((await fixture.app.inject({ url: `${tampered.pathname}${tampered.search}` })).statusCode).toBe(
      403,
    );
    const otherFile = `/api/files/shared/other.pdf${link.search}`;
    expect((await fixture.app.inject({ url: otherFile })).statusCode).toBe(403);
    expect((await fixture.app.inject({ method: 'DELETE', url: path })).statusCode).toBe(403);
    expect((await fixture.app.inject({ url: '/api/files/shared/report.pdf' })).statusCode).toBe(200);

    const bad = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: { name: 'x', permissions: 'rx' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('when a signed link has expired, then using it over HTTP is a 403 problem naming the expiry', async () => {
    await upload(fixture, { fields: { name: 'expiring/x.txt' }, data: Buffer.from('soon gone') });
    const issued = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: { name: 'expiring/x.txt', permissions: 'rd', expiresInSeconds: 60 },
    });
    const link = new URL(issued.json<{ url: string }>().url);
    const path = `${link.pathname}${link.search}`;
    expect((await fixture.app.inject({ url: path })).statusCode).toBe(200);
    // Only Date is faked: the link's clock moves past its expiry, Fastify's timers do not.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    try {
      for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
        const refused = await fixture.app.inject({ method, url: path });
        expect(refused.statusCode, method).toBe(403);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        if (method !== 'HEAD')
          expect(refused.json()).toMatchObject({ status: 403, detail: 'Signed link refused: expired.' });
      }
    } finally {
      vi.useRealTimers();
    }
    expect((await fixture.app.inject({ url: '/api/files/expiring/x.txt' })).body).toBe('soon gone');
  });

  it('when If-None-Match carries the ETag, then GET and HEAD answer 304 without a body; another ETag gets the file', async () => {
    const { etag } = (
      await upload(fixture, { fields: { name: 'cond/a.txt' }, data: Buffer.from('abc') })
    ).json<{
      etag: string;
    }>();
    for (const method of ['GET', 'HEAD'] as const) {
      const same = await fixture.app.inject({
        method,
        url: '/api/files/cond/a.txt',
        headers: { 'if-none-match': etag },
      });
      expect([same.statusCode, same.body, same.headers.etag]).toEqual([304, '', etag]);
    }
    const weak = await fixture.app.inject({
      url: '/api/files/cond/a.txt',
      headers: { 'if-none-match': `"x", W/${etag}` },
    });
    expect(weak.statusCode).toBe(304);
    const other = await fixture.app.inject({
      url: '/api/files/cond/a.txt',
      headers: { 'if-none-match': '"other"' },
    });
    expect([other.statusCode, other.body]).toEqual([200, 'abc']);
  });

  it('when a range starts past the end, then 416 carries Content-Range: bytes */size', async () => {
    await upload(fixture, { fields: { name: 'cond/range.txt' }, data: Buffer.from('0123456789') });
    const response = await fixture.app.inject({
      url: '/api/files/cond/range.txt',
      headers: { range: 'bytes=50-' },
    });
    expect(response.statusCode).toBe(416);
    expect(response.headers['content-range']).toBe('bytes */10');
  });

  it('when a read link is asked for a file that does not exist, then 404; write and create links are still issued', async () => {
    const sas = (payload: object) => fixture.app.inject({ method: 'POST', url: '/api/files/sas', payload });
    expect((await sas({ name: 'nowhere/x.txt', permissions: 'r' })).statusCode).toBe(404);
    expect((await sas({ name: 'nowhere/x.txt', permissions: 'd' })).statusCode).toBe(404);
    expect((await sas({ name: 'nowhere/x.txt', permissions: 'w' })).statusCode).toBe(200);
    expect((await sas({ name: 'nowhere/x.txt', permissions: 'c' })).statusCode).toBe(200);
    expect((await sas({ name: 'nowhere/x.txt', permissions: 'rc' })).statusCode).toBe(200);
  });

  it('when links are asked for several names, then one link per name comes back, in order, each serving its file', async () => {
    for (const name of ['batch/1.txt', 'batch/2.txt'])
      await upload(fixture, { fields: { name }, data: Buffer.from(name) });
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: { names: ['batch/1.txt', 'batch/2.txt'], permissions: 'r' },
    });
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: { name: string; url: string }[] }>();
    expect(items.map((item) => item.name)).toEqual(['batch/1.txt', 'batch/2.txt']);
    for (const item of items) {
      const url = new URL(item.url);
      expect((await fixture.app.inject({ url: `${url.pathname}${url.search}` })).body).toBe(item.name);
    }
    const sas = (payload: object) => fixture.app.inject({ method: 'POST', url: '/api/files/sas', payload });
    const missing = await sas({ names: ['batch/1.txt', 'batch/none.txt'], permissions: 'r' });
    expect([missing.statusCode, missing.json<{ detail: string }>().detail]).toEqual([
      404,
      'No such file: batch/none.txt.',
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `batch/${i}`);
    expect((await sas({ names: tooMany, permissions: 'w' })).statusCode).toBe(400);
    expect((await sas({ name: 'batch/1.txt', names: ['batch/1.txt'], permissions: 'r' })).statusCode).toBe(
      400,
    );
    expect((await sas({ permissions: 'r' })).statusCode).toBe(400);
  });

  it('when the blob store signs a link to another container, then the API serves it too', async () => {
    const ref = { container: 'audio-files', name: 'rec/original.mp3' };
    await fixture.bundle.store.upload(ref, Buffer.from('ID3'));
    const link = await fixture.bundle.store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 600 });
    const url = new URL(link.url);
    const get = await fixture.app.inject({ url: `${url.pathname}${url.search}` });
    expect([get.statusCode, get.body]).toEqual([200, 'ID3']);
    // The link's container is signed: pointing it at the files container is refused.
    url.searchParams.set('sc', 'azimuth');
    expect((await fixture.app.inject({ url: `${url.pathname}${url.search}` })).statusCode).toBe(403);
    // Without a link, only the files container is reachable.
    expect((await fixture.app.inject({ url: '/api/files/rec/original.mp3' })).statusCode).toBe(404);
  });

  it('when /health/azure-storage is asked, then it reports the driver and container', async () => {
    const response = await fixture.app.inject({ url: '/health/azure-storage' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'healthy',
      service: 'azure_blob_storage',
      driver: 'disk',
      details: { container: 'azimuth' },
    });
  });
});

describe('files API limits', () => {
  it('when a file exceeds MAX_UPLOAD_MB, then 413 and nothing is stored', async () => {
    const fixture = await buildTestApp({ modules: ['files'], env: { MAX_UPLOAD_MB: '1' } });
    try {
      const response = await upload(fixture, {
        fields: { name: 'too/big.bin' },
        data: Buffer.alloc(1024 * 1024 + 10),
      });
      expect(response.statusCode).toBe(413);
      expect((await fixture.app.inject({ url: '/api/files/too/big.bin' })).statusCode).toBe(404);
      expect(await readdir(join(fixture.dataDir, 'blobs', '.tmp'))).toEqual([]);
      const raw = await fixture.app.inject({
        method: 'PUT',
        url: '/api/files/too/raw.bin',
        payload: Buffer.alloc(1024 * 1024 + 10),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(raw.statusCode).toBe(413);
      expect((await fixture.app.inject({ url: '/api/files/too/raw.bin' })).statusCode).toBe(404);
      const fits = await upload(fixture, { fields: { name: 'ok.bin' }, data: Buffer.alloc(1024 * 1024) });
      expect(fits.statusCode).toBe(201);
    } finally {
      await fixture.close();
    }
  });

  it('when a user crosses the hourly upload quota, then 429 with Retry-After', async () => {
    const fixture = await buildTestApp({ modules: ['files'], env: { UPLOAD_QUOTA_MB_PER_HOUR: '1' } });
    try {
      expect((await upload(fixture, { data: Buffer.alloc(700 * 1024) })).statusCode).toBe(201);
      const refused = await upload(fixture, { fields: { name: 'over.bin' }, data: Buffer.alloc(700 * 1024) });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await fixture.app.inject({ url: '/api/files/over.bin' })).statusCode).toBe(404);
    } finally {
      await fixture.close();
    }
  });
});

describe('files API with AUTH_MODE=jwt', () => {
  let fixture: TestApp;
  let token: string;
  beforeAll(async () => {
    fixture = await buildTestApp({
      modules: ['files'],
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret },
    });
    token = await mintToken({ secret: testJwtSecret, subject: 'user-1' });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('when no token is sent, then writes, deletes, links and reads are 401; with one they work', async () => {
    expect(
      (await upload(fixture, { fields: { name: 'private.txt' }, data: Buffer.from('p') })).statusCode,
    ).toBe(401);
    const auth = { authorization: `Bearer ${token}` };
    expect(
      (await upload(fixture, { fields: { name: 'private.txt' }, data: Buffer.from('p') }, auth)).statusCode,
    ).toBe(201);
    expect((await fixture.app.inject({ url: '/api/files/private.txt' })).statusCode).toBe(401);
    expect((await fixture.app.inject({ url: '/api/files' })).statusCode).toBe(401);
    expect((await fixture.app.inject({ method: 'DELETE', url: '/api/files/private.txt' })).statusCode).toBe(
      401,
    );
    const sas = {
      method: 'POST' as const,
      url: '/api/files/sas',
      payload: { name: 'private.txt', permissions: 'r' },
    };
    expect((await fixture.app.inject(sas)).statusCode).toBe(401);
    const issued = await fixture.app.inject({ ...sas, headers: auth });
    expect(issued.statusCode).toBe(200);
    // The signed link is the credential: no token needed.
    const link = new URL(issued.json<{ url: string }>().url);
    const viaLink = await fixture.app.inject({ url: `${link.pathname}${link.search}` });
    expect([viaLink.statusCode, viaLink.body]).toEqual([200, 'p']);
    expect((await fixture.app.inject({ url: '/api/files/private.txt', headers: auth })).body).toBe('p');
    expect(
      (await fixture.app.inject({ method: 'DELETE', url: '/api/files/private.txt', headers: auth }))
        .statusCode,
    ).toBe(204);
  });
});

describe('files API: raw PUT and signed write links (disk, AUTH_MODE=jwt)', () => {
  let fixture: TestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    fixture = await buildTestApp({
      modules: ['files'],
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret },
    });
    auth = { authorization: `Bearer ${await mintToken({ secret: testJwtSecret, subject: 'user-2' })}` };
  });
  afterAll(async () => {
    await fixture.close();
  });
  const linkFor = async (name: string, permissions: string) => {
    const issued = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      headers: auth,
      payload: { name, permissions },
    });
    const url = new URL(issued.json<{ url: string }>().url);
    return `${url.pathname}${url.search}`;
  };
  const put = (url: string, body: string, headers: Record<string, string> = {}) =>
    fixture.app.inject({
      method: 'PUT',
      url,
      headers: { 'content-type': 'text/plain', ...headers },
      payload: body,
    });

  it('when a raw body is PUT, then a principal or a write link is needed, and a create link cannot overwrite', async () => {
    expect((await put('/api/files/raw/a.txt', 'a')).statusCode).toBe(401);
    const direct = await put('/api/files/raw/a.txt', 'a', auth);
    expect(direct.statusCode).toBe(201);
    expect(direct.json()).toMatchObject({ name: 'raw/a.txt', size: 1, contentType: 'text/plain' });

    expect((await put(await linkFor('raw/a.txt', 'r'), 'b')).statusCode).toBe(403);
    const create = await linkFor('raw/b.txt', 'c');
    expect((await put(create, 'b1')).statusCode).toBe(201);
    expect((await put(create, 'b2')).statusCode).toBe(403);
    expect((await put(await linkFor('raw/b.txt', 'w'), 'b3')).statusCode).toBe(201);
    expect((await fixture.app.inject({ url: '/api/files/raw/b.txt', headers: auth })).body).toBe('b3');
    // A write link for one file does not open another.
    const other = (await linkFor('raw/c.txt', 'w')).replace('raw/c.txt', 'raw/a.txt');
    expect((await put(other, 'x')).statusCode).toBe(403);
  });
});

describe('files API (azure driver on Azurite)', () => {
  let azurite: Azurite;
  let fixture: TestApp;
  beforeAll(async () => {
    azurite = await startAzurite();
    fixture = await buildTestApp({
      modules: ['files'],
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    });
  });
  afterAll(async () => {
    await fixture.close();
    await azurite.close();
  });

  it('when a file is uploaded, ranged, linked and deleted, then Azure serves it and the SAS link works against Azurite', async () => {
    const response = await upload(fixture, {
      fields: { name: 'az/doc.txt' },
      contentType: 'text/plain',
      data: Buffer.from('hello azure'),
    });
    expect(response.statusCode).toBe(201);
    // The blob endpoint's URL names the caller's namespace (AUTH_MODE=none: `anonymous`).
    expect(response.json<{ url: string }>().url).toBe(
      `${azurite.blobEndpoint}/azimuth/users/anonymous/az/doc.txt`,
    );
    const ranged = await fixture.app.inject({ url: '/api/files/az/doc.txt', headers: { range: 'bytes=6-' } });
    expect([ranged.statusCode, ranged.body, ranged.headers['content-range']]).toEqual([
      206,
      'azure',
      'bytes 6-10/11',
    ]);
    const issued = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: { name: 'az/doc.txt', permissions: 'r' },
    });
    const { url, expiresOn } = issued.json<{ url: string; expiresOn: string }>();
    // The default lifetime is BLOB_SAS_TTL_SECONDS (24 h).
    expect(new Date(expiresOn).getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect(await (await fetch(url)).text()).toBe('hello azure');
    // A disk-style signature on our API means nothing for Azure.
    expect((await fixture.app.inject({ url: '/api/files/az/doc.txt?sig=x' })).statusCode).toBe(403);
    expect((await fixture.app.inject({ method: 'DELETE', url: '/api/files/az/doc.txt' })).statusCode).toBe(
      204,
    );
    expect((await fixture.app.inject({ url: '/api/files/az/doc.txt' })).statusCode).toBe(404);
    const health = await fixture.app.inject({ url: '/health/azure-storage' });
    expect(health.json()).toMatchObject({
      status: 'healthy',
      driver: 'azure',
      details: { breaker: 'closed', container: 'azimuth' },
    });
  });

  it('when Azurite is down and the breaker opens, then the API answers 503 with Retry-After, and health says unhealthy', async () => {
    const down = await buildTestApp({
      modules: ['files'],
      env: {
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        STORAGE_RETRY_ATTEMPTS: '0',
        STORAGE_BREAKER_THRESHOLD: '1',
        STORAGE_BREAKER_HALF_OPEN_MS: '60000',
      },
    });
    try {
      await azurite.stop();
      const first = await down.app.inject({ url: '/api/files/any.txt' });
      expect(first.statusCode).toBe(503);
      const fast = await down.app.inject({ url: '/api/files/any.txt' });
      expect(fast.statusCode).toBe(503);
      expect(Number(fast.headers['retry-after'])).toBeGreaterThan(0);
      const health = await down.app.inject({ url: '/health/azure-storage' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'unhealthy',
        driver: 'azure',
        details: { breaker: 'open' },
      });
    } finally {
      await azurite.start();
      await down.close();
    }
  });
});
