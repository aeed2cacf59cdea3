// The scans API's edges without an LLM provider: refused uploads, the skipped analysis, HTML
// escaping and CSP, duplicates, share links (view, revoke → 410, expiry → 410), delete, failure and
// retry, and owner isolation over HTTP and /ws.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  buildScansApp,
  blobNames,
  connect,
  detail,
  makePhoto,
  pdfText,
  postScan,
  tokenFor,
  waitFor,
  type ScansFixture,
} from './scans-fixture.js';

describe('scans without a provider', () => {
  let fixture: ScansFixture;
  let clock = Date.now();
  let failNext = false;
  beforeAll(async () => {
    fixture = await buildScansApp({
      env: { SCANS_MAX_IMAGE_MB: '1', SCANS_JOB_ATTEMPTS: '1' },
      now: () => new Date(clock),
      faults: (stage) => {
        if (stage === 'reporting' && failNext) {
          failNext = false;
          throw new Error('disk full');
        }
      },
    });
  });
  afterAll(() => fixture.close());

  it('when the file is not JPEG, PNG or WebP (HEIC included) or is over the limit, then 415 or 413 and nothing is stored', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
    for (const data of [Buffer.from('%PDF-1.7 not a photo'), heic]) {
      const refused = await postScan(fixture, { image: { data } });
      expect(refused.status).toBe(415);
    }
    const big = Buffer.concat([await makePhoto('jpeg'), Buffer.alloc(1024 * 1024 + 1)]);
    expect((await postScan(fixture, { image: { data: big } })).status).toBe(413);
    expect((await postScan(fixture, { fields: { productName: 'x' } })).status).toBe(400);
    expect(await blobNames(fixture)).toEqual([]);
    const list = await fixture.app.inject({ method: 'GET', url: '/api/scans' });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('when no provider is configured, then analysing is skipped and the typed name and ingredients make an escaped, strict report', async () => {
    const productName = '<script>alert("x")</script> & <b>Shine</b>';
    const posted = await postScan(fixture, {
      fields: { productName, ingredients: 'Aqua\nSodium Laureth Sulfate\nIsobutylparaben; Parfum' },
      image: { data: await makePhoto('png', { seed: 3 }), type: 'image/png' },
    });
    const id = posted.body.id as string;
    const done = await waitFor(fixture, id, 'completed');
    expect(done.stages.analysing).toMatchObject({ state: 'skipped', reason: 'no provider configured' });
    expect(done.risk).toMatchObject({ level: 'high', matched: 3 });
    const html = await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}/report.html` });
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toMatch(
      /default-src 'none'.*img-src data:; style-src 'sha256-/,
    );
    expect(html.body).not.toContain('<script>');
    expect(html.body).not.toContain('<b>Shine');
    expect(html.body).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Shine&lt;/b&gt;',
    );
    expect(html.body).toContain('Label reading skipped: no provider configured.');
    const json = await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}/report.json` });
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.json()).toMatchObject({ schema: 'azimuth.scan-report/1', product: { name: productName } });
  }, 60_000);

  it('when the same product photo is posted twice, then the second is flagged as a likely duplicate', async () => {
    const photo = await makePhoto('jpeg', { seed: 11 });
    const first = (await postScan(fixture, { image: { data: photo } })).body.id as string;
    await waitFor(fixture, first, 'completed');
    // The same picture, smaller and re-encoded: what a second shot of the product looks like to the hash.
    const again = await sharp(photo).resize(500).jpeg({ quality: 60 }).toBuffer();
    const second = (await postScan(fixture, { image: { data: again } })).body.id as string;
    expect((await waitFor(fixture, second, 'completed')).likelyDuplicateOf).toBe(first);
    const other = (await postScan(fixture, { image: { data: await makePhoto('jpeg', { seed: 2 }) } })).body
      .id as string;
    expect((await waitFor(fixture, other, 'completed')).likelyDuplicateOf).toBeNull();
  }, 60_000);

  it('when a share is created, then its page and PDF work without sign-in until revoked or expired (410), and views are counted and audited', async () => {
    const id = (
      await postScan(fixture, {
        image: { data: await makePhoto('webp', { seed: 5 }) },
        fields: { productName: 'Shared Balm' },
      })
    ).body.id as string;
    await waitFor(fixture, id, 'completed');
    const created = await fixture.app.inject({
      method: 'POST',
      url: `/api/scans/${id}/shares`,
      payload: { expiresInHours: 1 },
    });
    expect(created.statusCode).toBe(201);
    const { url, id: shareId } = created.json<{ url: string; id: string }>();
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/);
    // The table holds the token's SHA-256 and nowhere the token itself (a leaked table opens nothing).
    const token = path.slice(3);
    const stored = await sql<
      Record<string, unknown>
    >`select * from scan_shares where id = ${shareId}`.execute(fixture.db);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored.rows[0])).not.toContain(token);
    const page = await fixture.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-robots-tag']).toContain('noindex');
    expect(page.headers['content-security-policy']).toContain('img-src data: http://localhost');
    expect(page.body).toContain('Shared Balm');
    const pdf = await fixture.app.inject({ method: 'GET', url: `${path}/report.pdf` });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(await pdfText(pdf.rawPayload)).toContain('Shared Balm');
    const listed = await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}/shares` });
    expect(listed.json()).toMatchObject({ items: [{ id: shareId, views: 2, active: true }] });
    expect(JSON.stringify(listed.json())).not.toContain(path.slice(3));
    expect(
      fixture.audit.entries.filter((e) => e.operation === 'scan.share.view' && e.outcome === 'success'),
    ).toHaveLength(2);

    expect(
      (await fixture.app.inject({ method: 'DELETE', url: `/api/scans/${id}/shares/${shareId}` })).statusCode,
    ).toBe(204);
    expect((await fixture.app.inject({ method: 'GET', url: path })).statusCode).toBe(410);
    expect((await fixture.app.inject({ method: 'GET', url: `${path}/report.pdf` })).statusCode).toBe(410);

    const expiring = (
      await fixture.app.inject({ method: 'POST', url: `/api/scans/${id}/shares`, payload: {} })
    ).json<{ url: string; expiresAt: string }>();
    expect(Date.parse(expiring.expiresAt) - clock).toBe(72 * 3_600_000);
    const expiringPath = new URL(expiring.url).pathname;
    expect((await fixture.app.inject({ method: 'GET', url: expiringPath })).statusCode).toBe(200);
    clock += 73 * 3_600_000;
    expect((await fixture.app.inject({ method: 'GET', url: expiringPath })).statusCode).toBe(410);
    expect((await fixture.app.inject({ method: 'GET', url: `/s/${'A'.repeat(43)}` })).statusCode).toBe(404);
  }, 60_000);

  it('when a stage fails on the last attempt, then the scan is failed with stage and reason; retry completes it; delete removes rows, blobs and shares', async () => {
    failNext = true;
    const id = (await postScan(fixture, { image: { data: await makePhoto('jpeg', { seed: 21 }) } })).body
      .id as string;
    const failed = await waitFor(fixture, id, 'failed');
    expect(failed.error).toBe('reporting: disk full');
    expect(failed.stages).toMatchObject({
      processing: { state: 'done' },
      reporting: { state: 'failed', reason: 'disk full' },
    });
    expect((await fixture.app.inject({ method: 'POST', url: `/api/scans/${id}/retry` })).statusCode).toBe(
      202,
    );
    await waitFor(fixture, id, 'completed');
    expect((await fixture.app.inject({ method: 'POST', url: `/api/scans/${id}/retry` })).statusCode).toBe(
      409,
    );

    const share = (
      await fixture.app.inject({ method: 'POST', url: `/api/scans/${id}/shares`, payload: {} })
    ).json<{ url: string }>();
    expect((await fixture.app.inject({ method: 'DELETE', url: `/api/scans/${id}` })).statusCode).toBe(204);
    expect((await blobNames(fixture)).filter((name) => name.includes(id))).toEqual([]);
    expect((await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}` })).statusCode).toBe(404);
    expect((await fixture.app.inject({ method: 'GET', url: new URL(share.url).pathname })).statusCode).toBe(
      404,
    );
  }, 60_000);
});

describe('scans with AUTH_MODE=jwt', () => {
  let fixture: ScansFixture;
  beforeAll(async () => {
    fixture = await buildScansApp({
      env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long' },
    });
  });
  afterAll(() => fixture.close());

  it('when Bob asks for Alice’s scan over HTTP or /ws, then 404 and an error frame; an admin sees it', async () => {
    const [alice, bob, admin] = await Promise.all([
      tokenFor('alice'),
      tokenFor('bob'),
      tokenFor('root', ['admin']),
    ]);
    const posted = await postScan(fixture, {
      image: { data: await makePhoto('jpeg') },
      token: alice,
      query: '?userId=bob',
    });
    const id = posted.body.id as string;
    await waitFor(fixture, id, 'completed', alice);
    expect((await detail(fixture, id, alice)).blobUrl).toContain(`/scans/alice/${id}/`);
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    for (const url of [`/api/scans/${id}`, `/api/scans/${id}/report.pdf`, `/api/scans/${id}/shares`])
      expect((await fixture.app.inject({ method: 'GET', url, headers: as(bob) })).statusCode, url).toBe(404);
    expect(
      (await fixture.app.inject({ method: 'DELETE', url: `/api/scans/${id}`, headers: as(bob) })).statusCode,
    ).toBe(404);
    expect(
      (await fixture.app.inject({ method: 'GET', url: '/api/scans', headers: as(bob) })).json<{
        items: unknown[];
      }>().items,
    ).toEqual([]);
    expect((await fixture.app.inject({ method: 'GET', url: '/api/scans' })).statusCode).toBe(401);
    expect(
      (await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}`, headers: as(admin) })).statusCode,
    ).toBe(200);

    const bobSocket = await connect(fixture, `?access_token=${bob}`);
    bobSocket.send({ type: 'subscribe', scanId: id });
    await expect
      .poll(() => bobSocket.messages[0])
      .toMatchObject({ type: 'error', scanId: id, error: 'Scan not found.' });
    await bobSocket.close();
    const aliceSocket = await connect(fixture, `?access_token=${alice}`);
    aliceSocket.send({ type: 'subscribe', scanId: id });
    await expect.poll(() => aliceSocket.messages[0]).toMatchObject({ type: 'completed', scanId: id });
    await aliceSocket.close();
  }, 60_000);
});
