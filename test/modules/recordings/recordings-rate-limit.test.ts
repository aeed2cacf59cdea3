// POST /api/process-audio is limited per user (seed 002: RATE_LIMIT_MAX_REQUESTS per
// RATE_LIMIT_WINDOW_MS); a small limit here stands in for the 100 per 15 minutes of production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRecordingsApp,
  tokenFor,
  upload,
  uploadLimitEnv,
  useRecordingsMedia,
  type RecordingsFixture,
} from './recordings-fixture.js';

const media = useRecordingsMedia('rate-limit');
const limit = 3;

describe('the upload rate limit of POST /api/process-audio', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({
      env: uploadLimitEnv(limit),
    });
  });
  afterAll(() => fixture.close());

  it('when a user sends one upload more than the limit in the window, then it is 429 problem+json with Retry-After, and another user is not held back', async () => {
    const [ada, bob] = await Promise.all([tokenFor('ada'), tokenFor('bob')]);
    for (let i = 0; i < limit; i++)
      expect((await upload(fixture, { data: media.mp3, token: ada })).statusCode).toBe(202);
    const refused = await upload(fixture, { data: media.mp3, token: ada });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ status: 429 });
    expect((await upload(fixture, { data: media.mp3, token: bob })).statusCode).toBe(202);
  });
});
