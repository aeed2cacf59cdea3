// POST /api/scans is limited per user like every upload (UPLOAD_RATE_LIMIT_MAX_REQUESTS per
// UPLOAD_RATE_LIMIT_WINDOW_MS); a small limit here stands in for the 100 per 15 minutes of production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadLimitEnv } from '../recordings/recordings-fixture.js';
import { buildScansApp, makePhoto, postScan, tokenFor, type ScansFixture } from './scans-fixture.js';

const limit = 3;

describe('the upload rate limit of POST /api/scans', () => {
  let fixture: ScansFixture;
  beforeAll(async () => {
    fixture = await buildScansApp({
      env: uploadLimitEnv(limit),
    });
  });
  afterAll(() => fixture.close());

  it('when a user posts one photo more than the limit in the window, then it is 429 problem+json with Retry-After, and another user is not held back', async () => {
    const [ada, bob] = await Promise.all([tokenFor('ada'), tokenFor('bob')]);
    const image = { data: await makePhoto('jpeg') };
    for (let i = 0; i < limit; i++) expect((await postScan(fixture, { image, token: ada })).status).toBe(202);
    const form = new FormData();
    form.append('image', new Blob([image.data], { type: 'image/jpeg' }), 'photo.jpg');
    const refused = await fetch(`${fixture.url}/api/scans`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${ada}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 429 });
    expect((await postScan(fixture, { image, token: bob })).status).toBe(202);
  });
});
