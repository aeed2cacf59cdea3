// The stars API with AUTH_MODE=jwt, on PGlite and on Table Storage: the caller is the user, and
// who may change what (own stars and user; admins any; debug and admin routes admins only).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { principalUserId } from '../../../src/modules/stars/principal-user-id.js';
import { testJwtSecret } from '../../helpers/test-app.js';
import { buildTestApp, type TestAppFor } from '../../helpers/test-app.js';
import { framesOf, openRawStream } from './helpers/raw-stream.js';
import { storeFixtures } from './helpers/store-fixtures.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;

const jwtEnv = { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret };

function status(response: LightMyRequestResponse, expected: number): void {
  expect(response.statusCode, response.body).toBe(expected);
  if (expected >= 400) expect(response.headers['content-type']).toContain('application/problem+json');
}

describe.each(storeFixtures)('stars HTTP API on $name (AUTH_MODE=jwt)', (fixture) => {
  let t: StarsApp;
  let ada: { authorization: string };
  let bob: { authorization: string };
  let admin: { authorization: string };
  let adaId: string;
  let bobId: string;

  beforeAll(() => fixture.start());
  afterAll(() => fixture.stop());

  afterEach(async () => {
    await t.close();
  });

  async function setup(listen = false) {
    t = await buildTestApp({
      modules: ['stars'],
      stars: { store: await fixture.make() },
      env: jwtEnv,
      listen,
    });
    // An opaque subject (as Entra ID gives) and a UUID one.
    ada = await t.auth('ada-entra-subject');
    adaId = principalUserId('ada-entra-subject');
    bobId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    bob = await t.auth(bobId.toUpperCase());
    admin = await t.auth('the-admin', ['admin']);
    for (const [headers, name] of [
      [ada, 'Ada'],
      [bob, 'Bob'],
    ] as const) {
      const payload = { name, email: `${name.toLowerCase()}@example.com` };
      status(await t.app.inject({ method: 'POST', url: '/users', headers, payload }), 201);
    }
  }

  const star = async (headers: { authorization: string }, payload: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/stars',
      headers,
      payload: { name: 'Vega', ra: 1, dec: 2, ...payload },
    });

  it('when a caller creates their user, then its id derives from the token subject, once', async () => {
    await setup();
    const response = await t.app.inject({ url: `/users/${adaId}`, headers: ada });
    status(response, 200);
    expect(response.json()).toMatchObject({ id: adaId, name: 'Ada' });
    expect(principalUserId(bobId.toUpperCase())).toBe(bobId);
    status(await t.app.inject({ url: `/users/${bobId}`, headers: ada }), 200);
    status(
      await t.app.inject({ method: 'POST', url: '/users', headers: ada, payload: { name: 'Again' } }),
      409,
    );
    status(await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'Nobody' } }), 401);
    status(await t.app.inject({ url: '/users' }), 401);
    status(await t.app.inject({ url: '/users', headers: { authorization: 'Bearer forged' } }), 401);
  });

  it('when a caller creates stars, then they are theirs; naming someone else is 403 and no token is 401', async () => {
    await setup();
    const own = await star(ada);
    status(own, 201);
    expect(own.json()).toMatchObject({ userId: adaId });
    status(await star(ada, { userId: adaId }), 201);
    status(await star(ada, { userId: bobId }), 403);
    status(await star(admin, { userId: bobId }), 403);
    status(await star({ authorization: '' }), 401);
    status(
      await t.app.inject({ method: 'POST', url: '/stars', payload: { name: 'Vega', ra: 1, dec: 2 } }),
      401,
    );
    // Reading the map needs no token.
    status(await t.app.inject('/stars'), 200);
    status(await t.app.inject(`/stars/${own.json<{ id: string }>().id}`), 200);
    status(await t.app.inject(`/users/${adaId}/stars`), 200);
  });

  it('when a caller likes a star, then the liker is the caller, whatever the body says', async () => {
    await setup();
    const id = (await star(ada)).json<{ id: string }>().id;
    const like = (headers: Record<string, string>, payload?: object): Promise<LightMyRequestResponse> =>
      t.app.inject({ method: 'POST', url: `/stars/${id}/like`, headers, ...(payload ? { payload } : {}) });
    const first = await like(bob);
    status(first, 200);
    expect(first.json()).toMatchObject({ liked: true, star: { likes: 1 } });
    expect((await like(bob, { userId: bobId })).json()).toMatchObject({ liked: false, star: { likes: 1 } });
    status(await like(bob, { userId: adaId }), 403);
    status(await like({}), 401);
    // The admin has no star-map user yet: their like names nobody the store knows.
    status(await like(admin), 404);
  });

  it('when someone else deletes a star, then 403; its owner or an admin may', async () => {
    await setup();
    const first = (await star(ada)).json<{ id: string }>().id;
    const second = (await star(ada)).json<{ id: string }>().id;
    const remove = (id: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'DELETE', url: `/stars/${id}`, headers });
    status(await remove(first, bob), 403);
    status(await remove(first, {}), 401);
    status(await remove(first, ada), 204);
    status(await remove(second, admin), 204);
  });

  it('when someone else updates or deletes a user, then 403; that user or an admin may', async () => {
    await setup();
    const put = (id: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'PUT', url: `/users/${id}`, headers, payload: { name: 'Renamed' } });
    status(await put(adaId, bob), 403);
    status(await put(adaId, ada), 200);
    status(await put(bobId, admin), 200);
    status(await t.app.inject({ method: 'DELETE', url: `/users/${adaId}`, headers: bob }), 403);
    status(await t.app.inject({ method: 'DELETE', url: `/users/${adaId}`, headers: ada }), 204);
    status(await t.app.inject({ method: 'DELETE', url: `/users/${bobId}`, headers: admin }), 204);
  });

  it('when users are read, then an email is shown only to that user and to admins (lists and single reads)', async () => {
    await setup();
    const emailsSeenBy = async (headers: { authorization: string }) => {
      const page = await t.app.inject({ url: '/users', headers });
      status(page, 200);
      return Object.fromEntries(
        page.json<{ items: { id: string; email?: string | null }[] }>().items.map((u) => [u.id, u.email]),
      );
    };
    expect(await emailsSeenBy(bob)).toEqual({ [adaId]: undefined, [bobId]: 'bob@example.com' });
    expect(await emailsSeenBy(admin)).toEqual({ [adaId]: 'ada@example.com', [bobId]: 'bob@example.com' });
    const read = async (id: string, headers: { authorization: string }) =>
      (await t.app.inject({ url: `/users/${id}`, headers })).json<Record<string, unknown>>();
    expect(await read(adaId, bob)).not.toHaveProperty('email');
    expect(await read(adaId, ada)).toMatchObject({ email: 'ada@example.com' });
    expect(await read(adaId, admin)).toMatchObject({ email: 'ada@example.com' });
    const renamed = await t.app.inject({
      method: 'PUT',
      url: `/users/${adaId}`,
      headers: ada,
      payload: { name: 'Ada L.' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Ada L.', email: 'ada@example.com' });
  });

  it('when the users stream is opened, then it needs a token, and even its replay from 0-0 carries no email', async () => {
    await setup(true);
    status(await t.app.inject({ url: '/events/users/stream?lastEventId=0-0' }), 401);
    const stream = await openRawStream(`${t.url}/events/users/stream?lastEventId=0-0`, bob);
    try {
      expect(stream.response.statusCode).toBe(200);
      const text = await stream.until((received) => framesOf(received).length >= 2);
      const users = framesOf(text).map((frame) => (frame.data as { data: Record<string, unknown> }).data);
      expect(users.map((user) => user.name)).toEqual(['Ada', 'Bob']);
      for (const user of users) expect(user).not.toHaveProperty('email');
      expect(text).not.toContain('@example.com');
    } finally {
      stream.close();
    }
    // The stars stream stays as public as the stars it carries.
    const stars = await openRawStream(`${t.url}/events/stars/stream`);
    expect(stars.response.statusCode).toBe(200);
    stars.close();
  });

  it('when a non-admin calls the admin or debug endpoints, then 403 (401 without a token); an admin gets them', async () => {
    await setup();
    for (const [method, url] of [
      ['GET', '/admin/stars/stats'],
      ['POST', '/admin/stars/cache/flush'],
      ['POST', '/admin/stars/popularity/recompute'],
      ['GET', '/debug/table-info'],
      ['GET', '/debug/active-stars'],
      ['POST', '/debug/add-test-star'],
    ] as const) {
      status(await t.app.inject({ method, url }), 401);
      status(await t.app.inject({ method, url, headers: ada }), 403);
      const answered = await t.app.inject({ method, url, headers: admin });
      expect(answered.statusCode, `${method} ${url}`).toBeLessThan(300);
    }
  });

  it('when the environment is production, then the debug endpoints are 404 even for an admin; admin routes still refuse non-admins', async () => {
    t = await buildTestApp({
      modules: ['stars'],
      stars: { store: await fixture.make(), moduleSettings: { ENVIRONMENT: 'production', DEBUG: true } },
      env: jwtEnv,
    });
    admin = await t.auth('the-admin', ['admin']);
    ada = await t.auth('ada-entra-subject');
    for (const [method, url] of [
      ['GET', '/debug/table-info'],
      ['GET', '/debug/active-stars'],
      ['POST', '/debug/add-test-star'],
    ] as const)
      status(await t.app.inject({ method, url, headers: admin }), 404);
    status(await t.app.inject({ method: 'GET', url: '/admin/stars/stats', headers: ada }), 403);
    status(await t.app.inject({ method: 'GET', url: '/admin/stars/stats', headers: admin }), 200);
  });
});
