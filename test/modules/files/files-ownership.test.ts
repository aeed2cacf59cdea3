// Each principal's own files (OWASP API1), route by route, with AUTH_MODE=jwt on the disk driver:
// names are the caller's own, another user's file is out of reach by any name, only an admin may
// name another `owner`, links open the one blob they were minted for, and refusals are audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArrayAuditLog } from '../../helpers/fakes.js';
import { multipartBody, multipartHeaders } from '../../helpers/multipart.js';
import { buildTestApp, testJwtSecret, type TestApp } from '../../helpers/test-app.js';

type Headers = Record<string, string>;

describe('files API: every user has their own files (AUTH_MODE=jwt)', () => {
  let t: TestApp;
  let ada: Headers;
  let bob: Headers;
  let admin: Headers;
  const audit = createArrayAuditLog();

  beforeAll(async () => {
    t = await buildTestApp({
      modules: ['files'],
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret },
      auditLog: audit,
    });
    ada = await t.auth('ada');
    bob = await t.auth('bob');
    admin = await t.auth('root', ['admin']);
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (headers: Headers, name: string, data: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/api/files${query}`,
      headers: { ...multipartHeaders, ...headers },
      payload: multipartBody({ fields: { name }, data: Buffer.from(data) }),
    });
  const get = (headers: Headers, url: string) => t.app.inject({ url, headers });
  const sas = (headers: Headers, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/files/sas', headers, payload });
  const pathOf = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  };
  const lastRefusal = () => audit.entries.filter((entry) => entry.outcome === 'denied').at(-1);

  it('when two users upload the same name, then each gets their own file back under the plain name', async () => {
    const mine = await upload(ada, 'notes/plan.txt', 'ada');
    expect(mine.statusCode).toBe(201);
    expect(mine.json()).toMatchObject({ name: 'notes/plan.txt', size: 3 });
    expect(mine.headers.location).toBe('/api/files/notes/plan.txt');
    expect((await upload(bob, 'notes/plan.txt', 'bob')).statusCode).toBe(201);
    expect((await get(ada, '/api/files/notes/plan.txt')).body).toBe('ada');
    expect((await get(bob, '/api/files/notes/plan.txt')).body).toBe('bob');
    // The namespace is on disk, never in the API's names.
    const stored = await t.bundle.store.list(t.settings.AZURE_STORAGE_CONTAINER, { prefix: 'users/' });
    expect(stored.items.map((item) => item.name).sort()).toEqual([
      'users/ada/notes/plan.txt',
      'users/bob/notes/plan.txt',
    ]);
  });

  it('when a user lists files, then only their own come back, by plain name', async () => {
    await upload(ada, 'only-ada.txt', 'a');
    const page = await get(bob, '/api/files');
    expect(page.statusCode).toBe(200);
    expect(page.json<{ items: { name: string }[] }>().items.map((item) => item.name)).toEqual([
      'notes/plan.txt',
    ]);
    const prefixed = await get(ada, '/api/files?prefix=only');
    expect(prefixed.json<{ items: { name: string }[] }>().items.map((item) => item.name)).toEqual([
      'only-ada.txt',
    ]);
  });

  it('when a user reads, heads, overwrites or deletes a name only another user has, then 404 and the file is unchanged', async () => {
    expect((await get(bob, '/api/files/only-ada.txt')).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'HEAD', url: '/api/files/only-ada.txt', headers: bob })).statusCode,
    ).toBe(404);
    // Naming the namespace itself stays inside the caller's own.
    expect((await get(bob, '/api/files/users/ada/only-ada.txt')).statusCode).toBe(404);
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/files/only-ada.txt',
      headers: { ...bob, 'content-type': 'text/plain' },
      payload: 'bob was here',
    });
    expect([put.statusCode, put.json<{ name: string }>().name]).toEqual([201, 'only-ada.txt']);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/files/only-ada.txt', headers: bob })).statusCode,
    ).toBe(204);
    expect((await get(ada, '/api/files/only-ada.txt')).body).toBe('a');
  });

  it('when a non-admin names another owner on any files route, then 403, audited, and nothing changes', async () => {
    const attempts = [
      () => get(bob, '/api/files?owner=ada'),
      () => get(bob, '/api/files/only-ada.txt?owner=ada'),
      () => t.app.inject({ method: 'HEAD', url: '/api/files/only-ada.txt?owner=ada', headers: bob }),
      () =>
        t.app.inject({
          method: 'PUT',
          url: '/api/files/only-ada.txt?owner=ada',
          headers: { ...bob, 'content-type': 'text/plain' },
          payload: 'x',
        }),
      () => t.app.inject({ method: 'DELETE', url: '/api/files/only-ada.txt?owner=ada', headers: bob }),
      () => upload(bob, 'planted.txt', 'x', '?owner=ada'),
      () => sas(bob, { name: 'only-ada.txt', owner: 'ada', permissions: 'r' }),
      () => sas(bob, { names: ['only-ada.txt'], owner: 'ada', permissions: 'rwd' }),
    ];
    for (const attempt of attempts) {
      const before = audit.entries.length;
      const response = await attempt();
      expect(response.statusCode, response.body).toBe(403);
      expect(audit.entries.length).toBe(before + 1);
      expect(lastRefusal()).toMatchObject({ actor: 'bob', outcome: 'denied' });
    }
    expect((await get(ada, '/api/files/only-ada.txt')).body).toBe('a');
    expect((await get(ada, '/api/files/planted.txt')).statusCode).toBe(404);
  });

  it('when an admin names an owner, then they reach that user’s files on every route', async () => {
    expect((await get(admin, '/api/files/only-ada.txt?owner=ada')).body).toBe('a');
    const listed = await get(admin, '/api/files?owner=ada&prefix=only');
    expect(listed.json<{ items: { name: string }[] }>().items.map((item) => item.name)).toEqual([
      'only-ada.txt',
    ]);
    expect((await upload(admin, 'from-admin.txt', 'hello', '?owner=ada')).statusCode).toBe(201);
    expect((await get(ada, '/api/files/from-admin.txt')).body).toBe('hello');
    const link = await sas(admin, { name: 'from-admin.txt', owner: 'ada', permissions: 'r' });
    expect((await t.app.inject({ url: pathOf(link.json<{ url: string }>().url) })).body).toBe('hello');
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/files/from-admin.txt?owner=ada', headers: admin }))
        .statusCode,
    ).toBe(204);
    expect((await get(ada, '/api/files/from-admin.txt')).statusCode).toBe(404);
    // Without `owner`, an admin's names are their own too.
    expect((await get(admin, '/api/files/only-ada.txt')).statusCode).toBe(404);
  });

  it('when links are asked for (one or a batch), then they are for the caller’s own files only', async () => {
    expect((await sas(bob, { name: 'only-ada.txt', permissions: 'r' })).statusCode).toBe(404);
    expect((await sas(bob, { names: ['notes/plan.txt', 'only-ada.txt'], permissions: 'r' })).statusCode).toBe(
      404,
    );
    const batch = await sas(bob, { names: ['notes/plan.txt'], permissions: 'r' });
    const [item] = batch.json<{ items: { name: string; url: string }[] }>().items;
    expect(item?.name).toBe('notes/plan.txt');
    expect((await t.app.inject({ url: pathOf(item?.url ?? '') })).body).toBe('bob');
    // A write link from bob for a name ada also has writes bob's file, not hers.
    const write = await sas(bob, { name: 'only-ada.txt', permissions: 'cw' });
    const put = await t.app.inject({
      method: 'PUT',
      url: pathOf(write.json<{ url: string }>().url),
      headers: { 'content-type': 'text/plain' },
      payload: 'bob',
    });
    expect(put.statusCode).toBe(201);
    expect((await get(ada, '/api/files/only-ada.txt')).body).toBe('a');
  });

  it('when a link minted for one user’s file is pointed at another path, then 403, audited', async () => {
    const issued = await sas(ada, { name: 'only-ada.txt', permissions: 'rwd' });
    const link = new URL(issued.json<{ url: string }>().url);
    expect(link.pathname).toBe('/api/files/users/ada/only-ada.txt');
    for (const path of ['/api/files/users/bob/notes/plan.txt', '/api/files/users/ada/notes/plan.txt']) {
      for (const method of ['GET', 'DELETE'] as const) {
        const before = audit.entries.length;
        expect((await t.app.inject({ method, url: `${path}${link.search}`, headers: bob })).statusCode).toBe(
          403,
        );
        expect(audit.entries.length).toBe(before + 1);
      }
    }
    const otherContainer = new URL(link);
    otherContainer.searchParams.set('sc', 'audio-files');
    expect((await t.app.inject({ url: pathOf(otherContainer.toString()) })).statusCode).toBe(403);
    expect((await get(bob, '/api/files/notes/plan.txt')).body).toBe('bob');
    expect((await get(ada, '/api/files/notes/plan.txt')).body).toBe('ada');
  });
});

describe('files API with AUTH_MODE=none', () => {
  it('when callers name themselves with ?userId=, then their files are apart too; without it they are anonymous', async () => {
    const t = await buildTestApp({ modules: ['files'] });
    try {
      const put = (query: string, body: string) =>
        t.app.inject({
          method: 'PUT',
          url: `/api/files/same.txt${query}`,
          headers: { 'content-type': 'text/plain' },
          payload: body,
        });
      expect((await put('?userId=ada', 'ada')).statusCode).toBe(201);
      expect((await put('', 'anonymous')).statusCode).toBe(201);
      expect((await t.app.inject('/api/files/same.txt?userId=ada')).body).toBe('ada');
      expect((await t.app.inject('/api/files/same.txt')).body).toBe('anonymous');
      // Everyone may do what an admin may with AUTH_MODE=none.
      expect((await t.app.inject('/api/files/same.txt?owner=ada')).body).toBe('ada');
    } finally {
      await t.close();
    }
  });
});
