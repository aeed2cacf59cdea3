// The stars API over HTTP with AUTH_MODE=none (callers name the user), run by one small file per
// store (stars-http.test.ts: PGlite and Table Storage; stars-http-pgbouncer.test.ts): every
// endpoint, its errors as problem+json, caching and events.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { BusEvent } from '../../../src/platform/events/event-bus.js';
import { cacheKeys } from '../../../src/modules/stars/stars-service.js';
import { buildTestApp, type TestAppFor } from '../../helpers/test-app.js';
import type { StoreFixture } from './helpers/store-fixtures.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;

const MISSING = '00000000-0000-7000-8000-000000000000';

function json(response: LightMyRequestResponse): Record<string, unknown> {
  return response.json<Record<string, unknown>>();
}

function expectProblem(response: LightMyRequestResponse, status: number): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  expect(json(response)).toMatchObject({ status, correlationId: expect.any(String) as string });
}

export function describeStarsHttp(fixture: StoreFixture): void {
  describe(`stars HTTP API on ${fixture.name} (AUTH_MODE=none)`, () => {
    let t: StarsApp;
    let now = Date.parse('2026-03-01T12:00:00.000Z');

    beforeAll(() => fixture.start());
    afterAll(() => fixture.stop());
    afterEach(async () => {
      await t.close();
    });

    async function setup(env: Record<string, string> = {}) {
      now = Date.parse('2026-03-01T12:00:00.000Z');
      t = await buildTestApp({
        modules: ['stars'],
        stars: { store: await fixture.make(() => now), clock: () => now },
        env,
      });
      return t;
    }

    const createUser = async (name = 'Ada') => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/users',
        payload: { name, email: `${name.toLowerCase()}@example.com` },
      });
      expect(response.statusCode).toBe(201);
      return response.json<{ id: string; name: string }>();
    };
    const createStar = async (userId: string, extra: Record<string, unknown> = {}) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/stars',
        payload: { userId, name: 'Vega', ra: 279.23, dec: 38.78, ...extra },
      });
      expect(response.statusCode).toBe(201);
      return response.json<{ id: string; likes: number; active: boolean }>();
    };
    const collect = (channel: string) => {
      const seen: BusEvent[] = [];
      const subscription = t.events.subscribe(channel, { onEvent: (event) => seen.push(event) });
      return { seen, stop: () => subscription.unsubscribe() };
    };

    describe('users', () => {
      it('when users are created, read, listed, updated and deleted, then each step shows and is announced', async () => {
        await setup();
        const events = collect('users');
        const ada = await createUser('Ada');
        expect(ada).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
        const grace = await createUser('Grace');

        const read = await t.app.inject(`/users/${ada.id}`);
        expect(read.statusCode).toBe(200);
        expect(json(read)).toEqual(ada);

        const first = await t.app.inject('/users?limit=1');
        expect(first.json<{ items: unknown[] }>().items).toEqual([ada]);
        const cursor = first.json<{ nextCursor: string }>().nextCursor;
        const second = await t.app.inject(`/users?limit=1&cursor=${cursor}`);
        expect(json(second)).toEqual({ items: [grace], nextCursor: null });

        const updated = await t.app.inject({
          method: 'PUT',
          url: `/users/${ada.id}`,
          payload: { email: null },
        });
        expect(updated.statusCode).toBe(200);
        expect(json(updated)).toMatchObject({ name: 'Ada', email: null });

        const deleted = await t.app.inject({ method: 'DELETE', url: `/users/${grace.id}` });
        expect(deleted.statusCode).toBe(204);
        expectProblem(await t.app.inject(`/users/${grace.id}`), 404);

        expect(
          events.seen.map((e) => [
            (e.data as { type: string }).type,
            (e.data as { data: { id: string } }).data.id,
          ]),
        ).toEqual([
          ['create', ada.id],
          ['create', grace.id],
          ['update', ada.id],
          ['delete', grace.id],
        ]);
        events.stop();
      });

      it('when user input or ids are wrong, then 400 or 404 as problem+json', async () => {
        await setup();
        expectProblem(await t.app.inject({ method: 'POST', url: '/users', payload: { name: '' } }), 400);
        expectProblem(
          await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'A', email: 'nope' } }),
          400,
        );
        expectProblem(await t.app.inject('/users/not-a-uuid'), 400);
        expectProblem(await t.app.inject(`/users/${MISSING}`), 404);
        expectProblem(
          await t.app.inject({ method: 'PUT', url: `/users/${MISSING}`, payload: { name: 'x' } }),
          404,
        );
        expectProblem(await t.app.inject({ method: 'PUT', url: `/users/${MISSING}`, payload: {} }), 400);
        expectProblem(await t.app.inject({ method: 'DELETE', url: `/users/${MISSING}` }), 404);
        expectProblem(await t.app.inject(`/users/${MISSING}/stars`), 404);
        expectProblem(await t.app.inject('/users?limit=0'), 400);
        expectProblem(await t.app.inject('/users?limit=101'), 400);
        expectProblem(await t.app.inject('/users?cursor=garbage'), 400);
      });

      it('when a name holds NUL or ttlSeconds overflows a date, then 400 at the edge and nothing is stored', async () => {
        await setup();
        const userId = json(await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } }))
          .id as string;
        const star = { userId, name: 'Vega', ra: 1, dec: 2 };
        for (const payload of [
          { ...star, name: 'Ve\u0000ga' },
          { ...star, message: 'hi\u0000' },
          { ...star, ttlSeconds: 1e300 },
          { ...star, ttlSeconds: 315_360_001 },
        ])
          expectProblem(await t.app.inject({ method: 'POST', url: '/stars', payload }), 400);
        for (const payload of [{ name: 'A\u0000' }, { email: 'a\u0000@example.com' }]) {
          expectProblem(
            await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'B', ...payload } }),
            400,
          );
          expectProblem(await t.app.inject({ method: 'PUT', url: `/users/${userId}`, payload }), 400);
        }
        expect(json(await t.app.inject('/stars')).items).toEqual([]);
        expect(json(await t.app.inject(`/users/${userId}`))).toMatchObject({ name: 'Ada' });
        expect((json(await t.app.inject('/users')).items as unknown[]).length).toBe(1);
        const longest = await t.app.inject({
          method: 'POST',
          url: '/stars',
          payload: { ...star, ttlSeconds: 315_360_000 },
        });
        expect(longest.statusCode).toBe(201);
      });

      it('when a user with stars is deleted, then their stars go and each is announced as deleted', async () => {
        await setup();
        const ada = await createUser('Ada');
        const fan = await createUser('Fan');
        const vega = await createStar(ada.id);
        const deneb = await createStar(fan.id, { name: 'Deneb' });
        await t.app.inject({ method: 'POST', url: `/stars/${deneb.id}/like`, payload: { userId: ada.id } });
        expect((await t.app.inject(`/stars/${deneb.id}`)).json<{ likes: number }>().likes).toBe(1);
        const stars = collect('stars');

        expect((await t.app.inject({ method: 'DELETE', url: `/users/${ada.id}` })).statusCode).toBe(204);
        expectProblem(await t.app.inject(`/stars/${vega.id}`), 404);
        // Cached before, yet the counter of the star she liked reads the cascade's result.
        expect((await t.app.inject(`/stars/${deneb.id}`)).json<{ likes: number }>().likes).toBe(0);
        expect(stars.seen.map((e) => e.data)).toEqual([
          { type: 'delete', data: expect.objectContaining({ id: vega.id }) as unknown },
        ]);
        stars.stop();
      });
    });

    describe('stars', () => {
      it('when a star is created, then it reads back, lists, and shows among the user’s stars', async () => {
        await setup();
        const ada = await createUser();
        const response = await t.app.inject({
          method: 'POST',
          url: '/stars',
          payload: {
            userId: ada.id,
            name: 'Vega',
            message: 'hi',
            ra: 279.23,
            dec: 38.78,
            color: '#aabbcc',
            ttlSeconds: 60,
          },
        });
        expect(response.statusCode).toBe(201);
        const star = response.json<{ id: string }>();
        expect(response.headers.location).toBe(`/stars/${star.id}`);
        expect(star).toMatchObject({
          userId: ada.id,
          name: 'Vega',
          message: 'hi',
          color: '#aabbcc',
          likes: 0,
          active: true,
          createdAt: '2026-03-01T12:00:00.000Z',
          expiresAt: '2026-03-01T12:01:00.000Z',
        });
        expect(json(await t.app.inject(`/stars/${star.id}`))).toEqual(star);
        expect(json(await t.app.inject('/stars'))).toEqual({ items: [star], nextCursor: null });
        expect(json(await t.app.inject(`/users/${ada.id}/stars`))).toEqual({
          items: [star],
          nextCursor: null,
        });
        expect(json(await t.app.inject('/stars/active'))).toEqual({ items: [star], nextCursor: null });
      });

      it('when star input or ids are wrong, then 400 or 404 as problem+json', async () => {
        await setup();
        const ada = await createUser();
        const post = (payload: Record<string, unknown>) =>
          t.app.inject({ method: 'POST', url: '/stars', payload });
        const valid = { userId: ada.id, name: 'Vega', ra: 1, dec: 2 };
        expectProblem(await post({ ...valid, ra: 360 }), 400);
        expectProblem(await post({ ...valid, dec: -91 }), 400);
        expectProblem(await post({ ...valid, color: 'red' }), 400);
        expectProblem(await post({ ...valid, name: 'x'.repeat(101) }), 400);
        expectProblem(await post({ ...valid, message: 'x'.repeat(501) }), 400);
        expectProblem(await post({ ...valid, ttlSeconds: 0 }), 400);
        expectProblem(await post({ name: 'Vega', ra: 1, dec: 2 }), 400);
        expectProblem(await post({ ...valid, userId: MISSING }), 404);
        expectProblem(await t.app.inject('/stars/not-a-uuid'), 400);
        expectProblem(await t.app.inject(`/stars/${MISSING}`), 404);
        expectProblem(await t.app.inject({ method: 'DELETE', url: `/stars/${MISSING}` }), 404);
        expectProblem(
          await t.app.inject({ method: 'POST', url: `/stars/${MISSING}/like`, payload: { userId: ada.id } }),
          404,
        );
        const star = await createStar(ada.id);
        expectProblem(
          await t.app.inject({ method: 'POST', url: `/stars/${star.id}/like`, payload: { userId: MISSING } }),
          404,
        );
        expectProblem(
          await t.app.inject({ method: 'POST', url: `/stars/${star.id}/like`, payload: {} }),
          400,
        );
        expectProblem(await t.app.inject({ method: 'POST', url: `/stars/${star.id}/like` }), 400);
        expectProblem(await t.app.inject('/stars/active?limit=abc'), 400);
        expectProblem(await t.app.inject('/stars/popular?cursor=%%%'), 400);
      });

      it('when a star is liked, then its counter moves once per user and the popular list follows', async () => {
        await setup();
        const ada = await createUser('Ada');
        const fan = await createUser('Fan');
        const vega = await createStar(ada.id);
        const deneb = await createStar(ada.id, { name: 'Deneb' });
        expect(json(await t.app.inject('/stars/popular'))).toEqual({ items: [], nextCursor: null });
        const stars = collect('stars');

        const like = (starId: string, userId: string) =>
          t.app.inject({ method: 'POST', url: `/stars/${starId}/like`, payload: { userId } });
        const first = await like(vega.id, fan.id);
        expect(first.statusCode).toBe(200);
        expect(json(first)).toMatchObject({ liked: true, star: { id: vega.id, likes: 1 } });
        expect(json(await like(vega.id, fan.id))).toMatchObject({ liked: false, star: { likes: 1 } });
        await like(vega.id, ada.id);
        await like(deneb.id, fan.id);

        expect((await t.app.inject(`/stars/${vega.id}`)).json<{ likes: number }>().likes).toBe(2);
        const popular = (await t.app.inject('/stars/popular')).json<{
          items: Array<{ id: string; windowLikes: number }>;
        }>();
        expect(popular.items.map((s) => [s.id, s.windowLikes])).toEqual([
          [vega.id, 2],
          [deneb.id, 1],
        ]);
        const page = (await t.app.inject('/stars/popular?limit=1')).json<{
          items: unknown[];
          nextCursor: string;
        }>();
        expect(page.items).toHaveLength(1);
        const rest = (await t.app.inject(`/stars/popular?limit=1&cursor=${page.nextCursor}`)).json<{
          items: Array<{ id: string }>;
        }>();
        expect(rest.items.map((s) => s.id)).toEqual([deneb.id]);
        // The repeated like changed nothing, so it announced nothing.
        expect(
          stars.seen.map((e) => (e.data as { type: string; data: { likes: number } }).data.likes),
        ).toEqual([1, 2, 1]);
        stars.stop();
      });

      it('when a star is deleted, then it is gone from reads, lists and the cache, and announced', async () => {
        await setup();
        const ada = await createUser();
        const star = await createStar(ada.id);
        await t.app.inject(`/stars/${star.id}`);
        await t.app.inject('/stars/active');
        expect(await t.cache.get(cacheKeys.star(star.id))).toBeDefined();
        const stars = collect('stars');

        expect((await t.app.inject({ method: 'DELETE', url: `/stars/${star.id}` })).statusCode).toBe(204);
        expect(await t.cache.get(cacheKeys.star(star.id))).toBeUndefined();
        expectProblem(await t.app.inject(`/stars/${star.id}`), 404);
        expect(json(await t.app.inject('/stars/active'))).toEqual({ items: [], nextCursor: null });
        expect(stars.seen.map((e) => (e.data as { type: string }).type)).toEqual(['delete']);
        stars.stop();
      });

      it('when a cached star expires, then it reads inactive and leaves the active list without waiting for the TTL', async () => {
        await setup();
        const ada = await createUser();
        const star = await createStar(ada.id, { ttlSeconds: 10 });
        expect((await t.app.inject('/stars/active')).json<{ items: unknown[] }>().items).toHaveLength(1);
        expect((await t.app.inject(`/stars/${star.id}`)).json<{ active: boolean }>().active).toBe(true);
        now += 11_000;
        expect((await t.app.inject(`/stars/${star.id}`)).json<{ active: boolean }>().active).toBe(false);
        expect((await t.app.inject('/stars/active')).json<{ items: unknown[] }>().items).toEqual([]);
      });

      it('when a star is read through the cache and then liked, then the next read shows the new count', async () => {
        await setup();
        const ada = await createUser();
        const star = await createStar(ada.id);
        await t.app.inject(`/stars/${star.id}`);
        await t.app.inject('/stars/popular');
        // A write another way than the API (as another instance would) is not seen until invalidated.
        await t.starsStore.like(star.id, ada.id);
        expect((await t.app.inject(`/stars/${star.id}`)).json<{ likes: number }>().likes).toBe(0);
        const fan = await createUser('Fan');
        await t.app.inject({ method: 'POST', url: `/stars/${star.id}/like`, payload: { userId: fan.id } });
        expect((await t.app.inject(`/stars/${star.id}`)).json<{ likes: number }>().likes).toBe(2);
        expect(
          (await t.app.inject('/stars/popular')).json<{ items: Array<{ likes: number }> }>().items[0]?.likes,
        ).toBe(2);
      });
    });

    describe('rate limits', () => {
      it('when a client writes more than API_RATE_LIMIT_TIMES times in the window, then 429 with Retry-After', async () => {
        await setup({ API_RATE_LIMIT_TIMES: '5', API_RATE_LIMIT_SECONDS: '60' });
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) {
          codes.push(
            (await t.app.inject({ method: 'POST', url: '/users', payload: { name: `U${i}` } })).statusCode,
          );
        }
        expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
        const limited = await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'again' } });
        expectProblem(limited, 429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        // Reads are not limited per route.
        for (let i = 0; i < 8; i++) expect((await t.app.inject('/users')).statusCode).toBe(200);
      });
    });

    describe('debug and admin', () => {
      it('when DEBUG is on, then the debug endpoints describe the store and add test stars', async () => {
        await setup();
        const added = await t.app.inject({ method: 'POST', url: '/debug/add-test-star' });
        expect(added.statusCode).toBe(201);
        const star = added.json<{ id: string; userId: string }>();
        const again = await t.app.inject({
          method: 'POST',
          url: '/debug/add-test-star',
          payload: { userId: star.userId, name: 'Test' },
        });
        expect(json(again)).toMatchObject({ userId: star.userId, name: 'Test' });
        expectProblem(
          await t.app.inject({ method: 'POST', url: '/debug/add-test-star', payload: { userId: MISSING } }),
          404,
        );

        const info = (await t.app.inject('/debug/table-info')).json<{
          driver: string;
          stars: number;
          tables: unknown[];
        }>();
        expect(info.stars).toBe(2);
        expect(info.tables.length).toBeGreaterThan(0);
        await t.app.inject('/stars/active');
        expect(json(await t.app.inject('/debug/active-stars'))).toMatchObject({
          activeStars: 2,
          expiredStars: 0,
          inactiveStars: 0,
          firstPageCached: true,
          firstPageFromStore: {
            items: [expect.objectContaining({ id: star.id }) as unknown, expect.anything() as unknown],
          },
        });
      });

      it('when DEBUG is off, or the environment is production, then the debug endpoints do not exist', async () => {
        await setup({ DEBUG: 'false' });
        expectProblem(await t.app.inject('/debug/table-info'), 404);
        await t.close();
        // Settings refuse DEBUG in production; the module ignores it too, should it ever get through.
        t = await buildTestApp({
          modules: ['stars'],
          stars: { store: await fixture.make(), moduleSettings: { ENVIRONMENT: 'production', DEBUG: true } },
        });
        expectProblem(await t.app.inject('/debug/active-stars'), 404);
        expectProblem(await t.app.inject({ method: 'POST', url: '/debug/add-test-star' }), 404);
      });

      it('when an admin flushes the cache, recomputes counters and reads stats, then each does what it says', async () => {
        await setup();
        const ada = await createUser();
        const star = await createStar(ada.id);
        await t.app.inject(`/stars/${star.id}`);
        expect(await t.cache.get(cacheKeys.star(star.id))).toBeDefined();
        expect((await t.app.inject({ method: 'POST', url: '/admin/stars/cache/flush' })).statusCode).toBe(
          204,
        );
        expect(await t.cache.get(cacheKeys.star(star.id))).toBeUndefined();

        const recompute = await t.app.inject({ method: 'POST', url: '/admin/stars/popularity/recompute' });
        expect(json(recompute)).toEqual({ starsChecked: 1, corrected: 0 });

        const stats = json(await t.app.inject('/admin/stars/stats'));
        expect(stats).toMatchObject({
          store: { users: 1, stars: 1, likes: 0, activeStars: 1 },
          streams: { connections: 0, byChannel: {} },
          events: { subscribers: 0 },
        });
      });
    });

    it('when the OpenAPI document is read, then every stars route is in it, tagged', async () => {
      await setup();
      const doc = (await t.app.inject('/openapi.json')).json<{
        paths: Record<string, Record<string, { tags?: string[] }>>;
      }>();
      for (const path of [
        '/stars',
        '/stars/{star_id}',
        '/stars/{star_id}/like',
        '/stars/active',
        '/stars/popular',
        '/users',
        '/users/{user_id}',
        '/users/{user_id}/stars',
        '/debug/table-info',
        '/debug/active-stars',
        '/debug/add-test-star',
        '/admin/stars/stats',
        '/events/stars/stream',
        '/events/users/stream',
      ]) {
        const operations = doc.paths[path];
        expect(operations, path).toBeDefined();
        for (const operation of Object.values(operations ?? {})) expect(operation.tags?.length, path).toBe(1);
      }
    });
  });
}
