// With AUTH_MODE=none the caller is the `userId` query parameter: a new recording's Location works
// as given, and every link GET /api/recordings/{id} hands out is served (disk driver).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody, multipartHeaders } from '../../helpers/multipart.js';
import {
  buildRecordingsApp,
  upload,
  useRecordingsMedia,
  waitForStatus,
  type RecordingsFixture,
} from './recordings-fixture.js';

const media = useRecordingsMedia('caller');

describe('the caller with AUTH_MODE=none, and the links of a recording (disk)', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp();
  });
  afterAll(() => fixture.close());

  it('when ada uploads, then the Location answers her as given, and nobody else sees it', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/api/process-audio?userId=ada',
      headers: multipartHeaders,
      payload: multipartBody({ data: media.mp3, filename: 'a.mp3' }),
    });
    expect(response.statusCode).toBe(202);
    const { id, location } = response.json<{ id: string; location: string }>();
    expect(response.headers.location).toBe(`/api/recordings/${id}?userId=ada`);
    expect(location).toBe(response.headers.location);
    expect((await fixture.app.inject(location)).statusCode).toBe(200);
    expect((await fixture.app.inject(`/api/recordings/${id}`)).statusCode).toBe(404);
    expect((await fixture.app.inject(`/api/recordings/${id}?userId=bob`)).statusCode).toBe(404);
  });

  it('when the caller is sent as a form field, then 400 says where it goes', async () => {
    const response = await upload(fixture, { data: media.mp3, fields: { userId: 'ada' } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ detail: string }>().detail).toContain('?userId=');
  });

  it('when a recording completes, then its original, compressed and metadata links are each served', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const { links } = await waitForStatus(fixture, id, 'completed');
    for (const link of [links.original, links.compressed, links.metadata]) {
      const url = new URL(link ?? '');
      const served = await fixture.app.inject(`${url.pathname}${url.search}`);
      expect(served.statusCode, url.pathname).toBe(200);
      expect(served.rawPayload.length).toBeGreaterThan(0);
    }
  });
});
