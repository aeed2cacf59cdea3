// Likes under concurrency through HTTP, on PGlite and on Table Storage: 200 distinct users at
// once count 200; one user 50 times at once counts 1; the cached read agrees afterwards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestAppFor } from '../../helpers/test-app.js';
import { storeFixtures } from './helpers/store-fixtures.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;

describe.each(storeFixtures)('concurrent likes over HTTP on $name', (fixture) => {
  let t: StarsApp;

  beforeAll(() => fixture.start());
  afterAll(() => fixture.stop());
  afterEach(async () => {
    await t.close();
  });

  async function starWithOwner() {
    // Per-route limits would refuse these bursts from one client: lift them for this test.
    t = await buildTestApp({
      modules: ['stars'],
      stars: { store: await fixture.make() },
      env: { API_RATE_LIMIT_TIMES: '100000' },
    });
    const owner = await t.starsStore.createUser({ name: 'Owner' });
    const star = await t.starsStore.createStar({ userId: owner.id, name: 'Vega', ra: 1, dec: 2 });
    // Cached before the burst, so the test also shows the burst invalidates it.
    expect((await t.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 0 });
    return star;
  }

  const like = (starId: string, userId: string) =>
    t.app.inject({ method: 'POST', url: `/stars/${starId}/like`, payload: { userId } });

  it('when 200 distinct users like one star at once, then it has 200 likes', async () => {
    const star = await starWithOwner();
    const fans = [];
    for (let i = 0; i < 200; i += 20) {
      fans.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, j) => t.starsStore.createUser({ name: `Fan ${i + j}` })),
        )),
      );
    }
    const responses = await Promise.all(fans.map((fan) => like(star.id, fan.id)));
    expect(responses.map((r) => r.statusCode).filter((code) => code !== 200)).toEqual([]);
    expect(responses.filter((r) => r.json<{ liked: boolean }>().liked)).toHaveLength(200);
    expect((await t.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 200 });
    expect((await t.app.inject('/stars/popular')).json()).toMatchObject({
      items: [{ id: star.id, windowLikes: 200 }],
    });
    // 200 writers racing for one Table Storage entity retry with backoff: seconds alone, far more
    // when the suite shares the machine's two cores with other test files.
  }, 120_000);

  it('when one user likes one star 50 times at once, then it has 1 like', async () => {
    const star = await starWithOwner();
    const fan = await t.starsStore.createUser({ name: 'Fan' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => like(star.id, fan.id)));
    expect(responses.map((r) => r.statusCode).filter((code) => code !== 200)).toEqual([]);
    expect(responses.filter((r) => r.json<{ liked: boolean }>().liked)).toHaveLength(1);
    expect((await t.app.inject(`/stars/${star.id}`)).json()).toMatchObject({ likes: 1 });
  });
});
