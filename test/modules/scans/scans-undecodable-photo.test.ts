// A photo that passes the format sniff but cannot be decoded fails the same way on every try:
// the scan is marked failed on its first attempt, with the reason, and never queued again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScansApp, postScan, waitFor, type ScansFixture } from './scans-fixture.js';

describe('an undecodable photo', () => {
  let fixture: ScansFixture;
  beforeAll(async () => {
    // Three attempts an hour apart: a scan failed within the test was failed on its first.
    fixture = await buildScansApp({ env: { SCANS_JOB_ATTEMPTS: '3', SCANS_RETRY_DELAY_MS: '3600000' } });
  });
  afterAll(() => fixture.close());

  it('when a JPEG head is followed by garbage, then the scan fails at once naming the decode', async () => {
    const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
    const data = Buffer.concat([jpegHead, Buffer.alloc(4096, 0x5a)]);
    const accepted = await postScan(fixture, { image: { data } });
    expect(accepted.status).toBe(202);
    const failed = await waitFor(fixture, String(accepted.body.id), 'failed');
    expect(failed.error).toMatch(/^processing: the photo cannot be decoded: /);
  });
});
