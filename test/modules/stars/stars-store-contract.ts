// The contract every StarsStore driver keeps: run by each driver's test file against an empty
// store with a clock the suite moves, so expiry and popularity windows are exact.
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/platform/errors/app-error.js';
import type { Clock, StarsStore } from '../../../src/modules/stars/stars-store.js';
import type { Star } from '../../../src/modules/stars/star.js';
import type { User } from '../../../src/modules/stars/user.js';

/** Returns an empty store reading time from `clock`; called before every test. */
export type MakeStarsStore = (clock: Clock) => Promise<StarsStore>;

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const MISSING = '00000000-0000-7000-8000-000000000000';

async function rejectsWithStatus(promise: Promise<unknown>, status: number): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isAppError(error) ? error.status : error).toBe(status);
}

export function describeStarsStoreContract(driverName: string, makeStore: MakeStarsStore): void {
  describe(`StarsStore contract: ${driverName}`, () => {
    let now = T0;
    let store: StarsStore;

    const advance = (ms: number) => {
      now += ms;
    };
    const user = (name = 'Ada') => store.createUser({ name, email: `${name.toLowerCase()}@example.com` });
    const star = (owner: User, extra: Partial<Parameters<StarsStore['createStar']>[0]> = {}) =>
      store.createStar({ userId: owner.id, name: 'Vega', ra: 279.23, dec: 38.78, ...extra });

    async function walk(
      list: (cursor: string | null) => Promise<{ items: Array<{ id: string }>; nextCursor: string | null }>,
    ): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await list(cursor);
        seen.push(...page.items.map((item) => item.id));
        if (page.nextCursor === null) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('paging did not end');
    }

    beforeEach(async () => {
      now = T0;
      store = await makeStore(() => now);
      await store.init();
    });

    describe('users', () => {
      it('when a user is created with a chosen id, then it has that id, and the id cannot be taken twice', async () => {
        const id = '5f0c7a52-3b1e-5d2a-9c4e-0123456789ab';
        const created = await store.createUser({ id, name: 'Chosen' });
        expect(created.id).toBe(id);
        expect(await store.getUser(id)).toEqual(created);
        await rejectsWithStatus(store.createUser({ id, name: 'Again' }), 409);
        expect((await store.getUser(id))?.name).toBe('Chosen');
      });

      it('when a user is created, then it reads back with timestamps from the clock', async () => {
        const created = await user('Ada');
        expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(created).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
        expect(created.createdAt.getTime()).toBe(T0);
        expect(await store.getUser(created.id)).toEqual(created);
      });

      it('when a user is updated, then only the given fields change and updatedAt moves', async () => {
        const created = await user('Ada');
        advance(5000);
        const renamed = await store.updateUser(created.id, { name: 'Ada L.' });
        expect(renamed).toMatchObject({ name: 'Ada L.', email: 'ada@example.com' });
        expect(renamed?.createdAt.getTime()).toBe(T0);
        expect(renamed?.updatedAt.getTime()).toBe(T0 + 5000);
        const cleared = await store.updateUser(created.id, { email: null });
        expect(cleared).toMatchObject({ name: 'Ada L.', email: null });
        expect(await store.getUser(created.id)).toEqual(cleared);
      });

      it('when a user does not exist, then reads miss and writes say so', async () => {
        expect(await store.getUser(MISSING)).toBeUndefined();
        expect(await store.getUser('not-a-uuid')).toBeUndefined();
        expect(await store.updateUser(MISSING, { name: 'x' })).toBeUndefined();
        expect(await store.deleteUser(MISSING)).toBe(false);
      });

      it('when users are listed in pages, then every user appears once, in creation order', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          ids.push((await user(`U${i}`)).id);
          advance(1);
        }
        const seen = await walk((cursor) => store.listUsers({ limit: 3, cursor }));
        expect(seen).toEqual(ids);
      });
    });

    describe('stars', () => {
      it('when a star is created, then it reads back with defaults', async () => {
        const owner = await user();
        const created = await star(owner, { message: 'hello', color: '#aabbcc' });
        expect(created).toEqual({
          id: created.id,
          userId: owner.id,
          name: 'Vega',
          message: 'hello',
          ra: 279.23,
          dec: 38.78,
          color: '#aabbcc',
          likes: 0,
          active: true,
          createdAt: new Date(T0),
          expiresAt: null,
        } satisfies Star);
        expect(await store.getStar(created.id)).toEqual(created);
        const bare = await star(owner, { name: 'Deneb', ra: 0, dec: -90 });
        expect(bare).toMatchObject({ message: null, color: null, ra: 0, dec: -90 });
      });

      it('when the owner does not exist, then creating a star is a not-found error', async () => {
        await rejectsWithStatus(star({ id: MISSING } as User), 404);
        await rejectsWithStatus(star({ id: 'nope' } as User), 404);
        expect((await store.stats()).stars).toBe(0);
      });

      it('when a star is deleted, then it and its likes are gone', async () => {
        const owner = await user('Owner');
        const fan = await user('Fan');
        const doomed = await star(owner);
        await store.like(doomed.id, fan.id);
        expect(await store.deleteStar(doomed.id)).toBe(true);
        expect(await store.getStar(doomed.id)).toBeUndefined();
        expect(await store.deleteStar(doomed.id)).toBe(false);
        expect(await store.deleteStar('nope')).toBe(false);
        const stats = await store.stats();
        expect(stats).toMatchObject({ stars: 0, likes: 0, users: 2 });
        expect((await store.listPopularStars({ windowSeconds: 3600 })).items).toEqual([]);
      });

      it('when stars are listed in pages, then a walk sees every star once even with inserts', async () => {
        const owners = [await user('A'), await user('B'), await user('C')];
        const ids: string[] = [];
        for (let i = 0; i < 11; i++) {
          const owner = owners[i % owners.length];
          if (owner === undefined) throw new Error('no owner');
          ids.push((await star(owner, { name: `S${i}` })).id);
          advance(10);
        }
        let inserted = false;
        const seen = await walk(async (cursor) => {
          const page = await store.listStars({ limit: 4, cursor });
          if (!inserted && owners[0] !== undefined) {
            inserted = true;
            ids.push((await star(owners[0], { name: 'late' })).id);
          }
          return page;
        });
        expect(seen).toEqual(ids);
        expect(new Set(seen).size).toBe(seen.length);

        const all = await store.listStars({ limit: 1000 });
        expect(all.items).toHaveLength(12);
        expect(all.nextCursor).toBeNull();
        expect((await store.listStars({ limit: 0 })).items).toHaveLength(1);
        expect((await store.listStars({})).items).toHaveLength(12);
      });

      it('when a cursor is not one the store made, then listing is a bad request', async () => {
        await rejectsWithStatus(store.listStars({ cursor: 'garbage' }), 400);
        await rejectsWithStatus(store.listUsers({ cursor: 'e30' }), 400);
        await rejectsWithStatus(store.listPopularStars({ windowSeconds: 60, cursor: 'e30' }), 400);
      });

      it("when a user's stars are listed, then only theirs appear, paged", async () => {
        const ada = await user('Ada');
        const bob = await user('Bob');
        const adas: string[] = [];
        for (let i = 0; i < 5; i++) {
          adas.push((await star(ada, { name: `A${i}` })).id);
          await star(bob, { name: `B${i}` });
          advance(1);
        }
        expect(await walk((cursor) => store.listStarsByUser(ada.id, { limit: 2, cursor }))).toEqual(adas);
        expect((await store.listStarsByUser(MISSING, {})).items).toEqual([]);
      });

      it('when stars expire or are flagged inactive, then the active list leaves them out', async () => {
        const owner = await user();
        const forever = await star(owner, { name: 'forever' });
        const shortLived = await star(owner, { name: 'short', expiresAt: new Date(T0 + 60_000) });
        const longLived = await star(owner, { name: 'long', expiresAt: new Date(T0 + 3_600_000) });
        await star(owner, { name: 'off', active: false });
        const alreadyGone = await star(owner, { name: 'gone', expiresAt: new Date(T0 - 1) });
        expect(alreadyGone.expiresAt?.getTime()).toBe(T0 - 1);

        const activeNow = await walk((cursor) => store.listActiveStars({ limit: 2, cursor }));
        expect(activeNow).toEqual([forever.id, shortLived.id, longLived.id]);

        advance(60_000);
        const later = await store.listActiveStars({});
        expect(later.items.map((s) => s.id)).toEqual([forever.id, longLived.id]);
        expect(await store.stats()).toMatchObject({
          stars: 5,
          activeStars: 2,
          expiredStars: 2,
          inactiveStars: 1,
        });
      });
    });

    describe('likes', () => {
      it('when a user likes a star twice, then the second like changes nothing', async () => {
        const owner = await user('Owner');
        const fan = await user('Fan');
        const liked = await star(owner);
        const first = await store.like(liked.id, fan.id);
        expect(first.liked).toBe(true);
        expect(first.star).toMatchObject({ id: liked.id, likes: 1 });
        const second = await store.like(liked.id, fan.id);
        expect(second.liked).toBe(false);
        expect(second.star.likes).toBe(1);
        expect((await store.getStar(liked.id))?.likes).toBe(1);
        expect((await store.stats()).likes).toBe(1);
      });

      it('when the star or the user does not exist, then a like is a not-found error', async () => {
        const owner = await user();
        const real = await star(owner);
        await rejectsWithStatus(store.like(MISSING, owner.id), 404);
        await rejectsWithStatus(store.like(real.id, MISSING), 404);
        await rejectsWithStatus(store.like('nope', owner.id), 404);
        expect((await store.getStar(real.id))?.likes).toBe(0);
        expect((await store.stats()).likes).toBe(0);
      });

      it('when 200 distinct users like one star at once, then it has exactly 200 likes', async () => {
        const owner = await user('Owner');
        const target = await star(owner);
        const fans: User[] = [];
        for (let i = 0; i < 200; i += 20) {
          fans.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => user(`F${i + j}`)))));
        }
        const results = await Promise.all(fans.map((fan) => store.like(target.id, fan.id)));
        expect(results.every((result) => result.liked)).toBe(true);
        expect((await store.getStar(target.id))?.likes).toBe(200);
        expect((await store.stats()).likes).toBe(200);
        expect(await store.recomputeLikes()).toEqual({ starsChecked: 1, corrected: 0 });
      });

      it('when one user likes a star 50 times at once, then it has exactly 1 like', async () => {
        const owner = await user('Owner');
        const fan = await user('Fan');
        const target = await star(owner);
        const results = await Promise.all(Array.from({ length: 50 }, () => store.like(target.id, fan.id)));
        expect(results.filter((result) => result.liked)).toHaveLength(1);
        expect((await store.getStar(target.id))?.likes).toBe(1);
        expect((await store.stats()).likes).toBe(1);
      });
    });

    describe('popular', () => {
      it('when likes fall inside and outside the window, then only those inside count, most first', async () => {
        const owner = await user('Owner');
        const fans = await Promise.all([1, 2, 3, 4].map((i) => user(`F${i}`)));
        const [f1, f2, f3, f4] = fans as [User, User, User, User];
        const old = await star(owner, { name: 'old' });
        const a = await star(owner, { name: 'a' });
        const b = await star(owner, { name: 'b' });
        const c = await star(owner, { name: 'c' });
        const d = await star(owner, { name: 'd' });
        await star(owner, { name: 'unliked' });

        // `old` gets 4 likes two hours ago: the most likes overall, none in a one-hour window.
        for (const fan of fans) await store.like(old.id, fan.id);
        advance(2 * 3_600_000);
        for (const fan of [f1, f2, f3]) await store.like(a.id, fan.id);
        for (const fan of [f1, f2]) await store.like(b.id, fan.id);
        await store.like(d.id, f4.id);
        await store.like(c.id, f4.id);
        advance(60_000);

        const popular = await store.listPopularStars({ windowSeconds: 3600 });
        const expectedTies = [c.id, d.id].sort();
        expect(popular.items.map((s) => [s.id, s.windowLikes])).toEqual([
          [a.id, 3],
          [b.id, 2],
          [expectedTies[0], 1],
          [expectedTies[1], 1],
        ]);
        expect(popular.items[0]?.likes).toBe(3);
        expect(popular.nextCursor).toBeNull();

        const paged = await walk((cursor) =>
          store.listPopularStars({ windowSeconds: 3600, limit: 1, cursor }),
        );
        expect(paged).toEqual(popular.items.map((s) => s.id));

        const wide = await store.listPopularStars({ windowSeconds: 3 * 3600 });
        expect(wide.items.map((s) => s.id)).toEqual([old.id, a.id, b.id, ...expectedTies]);

        advance(3_600_000);
        expect((await store.listPopularStars({ windowSeconds: 3600 })).items).toEqual([]);
      });
    });

    describe('user deletion', () => {
      it('when a user is deleted, then their stars and the likes they gave go, and counters follow', async () => {
        const leaving = await user('Leaving');
        const staying = await user('Staying');
        const own1 = await star(leaving, { name: 'own1' });
        const own2 = await star(leaving, { name: 'own2' });
        const theirs = await star(staying, { name: 'theirs' });
        await store.like(theirs.id, leaving.id);
        await store.like(theirs.id, staying.id);
        await store.like(own1.id, staying.id);
        await store.like(own1.id, leaving.id);

        expect(await store.deleteUser(leaving.id)).toBe(true);

        expect(await store.getUser(leaving.id)).toBeUndefined();
        expect(await store.getStar(own1.id)).toBeUndefined();
        expect(await store.getStar(own2.id)).toBeUndefined();
        expect((await store.listStarsByUser(leaving.id, {})).items).toEqual([]);
        expect((await store.getStar(theirs.id))?.likes).toBe(1);
        const popular = await store.listPopularStars({ windowSeconds: 3600 });
        expect(popular.items.map((s) => [s.id, s.windowLikes])).toEqual([[theirs.id, 1]]);
        expect(await store.stats()).toMatchObject({ users: 1, stars: 1, likes: 1 });
        expect(await store.recomputeLikes()).toEqual({ starsChecked: 1, corrected: 0 });
        expect(await store.deleteUser(leaving.id)).toBe(false);

        // The remaining user can like again what they liked, and nothing of the old one lingers.
        expect((await store.like(theirs.id, staying.id)).liked).toBe(false);
      });
    });

    describe('admin', () => {
      it('when stats are read, then they count users, stars, likes and name the driver', async () => {
        const owner = await user('Owner');
        const fan = await user('Fan');
        const s1 = await star(owner);
        await star(owner);
        await store.like(s1.id, fan.id);
        await store.like(s1.id, owner.id);
        const stats = await store.stats();
        expect(stats).toMatchObject({ users: 2, stars: 2, likes: 2, activeStars: 2 });
        expect(stats.driver).toBe(store.health.driver);
        expect(stats.tables.length).toBeGreaterThan(0);
        expect(stats.tables.every((table) => table.name.length > 0 && table.rows >= 0)).toBe(true);
      });

      it('when the health check runs, then the store reports healthy', async () => {
        const result = await store.health.check(AbortSignal.timeout(5000));
        expect(result.status).toBe('healthy');
        expect(store.health.required).toBe(true);
      });
    });
  });
}
