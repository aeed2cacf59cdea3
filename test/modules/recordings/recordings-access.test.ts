// Retry, delete, owner isolation (AUTH_MODE=jwt), retention, and the WebSocket protocol.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { testJwtSecret } from '../../helpers/test-app.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildRecordingsApp,
  connect,
  detail,
  tokenFor,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
  useRecordingsMedia,
} from './recordings-fixture.js';

const media = useRecordingsMedia('access');

describe('failed recordings, retry and delete', () => {
  let fixture: RecordingsFixture;
  let breakAnalysis = true;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({
      env: { RECORDINGS_JOB_ATTEMPTS: '2' },
      llm: (await makeLlm(media.standIn, 'azure_openai')).provider,
      faults: (point) => {
        if (point === 'analysed' && breakAnalysis) throw new Error('the model is having a bad day');
      },
    });
  });
  afterAll(() => fixture.close());

  it('when every attempt fails, then the recording is failed with the reason, and a retry completes it', async () => {
    const client = await connect(fixture);
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    client.send({ type: 'subscribe', recordingId: id });
    const failed = await waitForStatus(fixture, id, 'failed');
    expect(failed.error).toBe('analyse: the model is having a bad day');
    expect(failed.stages.analyse).toMatchObject({ state: 'failed' });
    expect(failed.stages.transcribe?.state).toBe('done');
    await expect.poll(() => client.messages.at(-1)).toMatchObject({ type: 'failed', recordingId: id });

    breakAnalysis = false;
    const retried = await fixture.app.inject({ method: 'POST', url: `/api/recordings/${id}/retry` });
    expect(retried.statusCode).toBe(202);
    const done = await waitForStatus(fixture, id, 'completed');
    expect(done.insights).toEqual(validInsights);
    expect(done.retries).toBe(1);
    // Only the failed stage ran again: one transcription in all.
    expect(media.standIn.received('transcriptions')).toHaveLength(1);
    expect(done.error).toBeNull();
    await expect.poll(() => client.messages.at(-1)).toMatchObject({ type: 'completed', recordingId: id });
    await client.close();

    const again = await fixture.app.inject({ method: 'POST', url: `/api/recordings/${id}/retry` });
    expect(again.statusCode).toBe(409);
  });

  it('when a recording is deleted, then its row and every blob are gone', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    breakAnalysis = false;
    await waitForStatus(fixture, id, 'completed');
    expect((await blobNames(fixture)).filter((n) => n.startsWith(id))).toHaveLength(3);
    const response = await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}` });
    expect(response.statusCode).toBe(204);
    expect((await blobNames(fixture)).filter((n) => n.startsWith(id))).toEqual([]);
    expect((await fixture.app.inject({ method: 'GET', url: `/api/recordings/${id}` })).statusCode).toBe(404);
    expect((await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}` })).statusCode).toBe(
      404,
    );
  });

  it('when listing, then pages of the caller’s recordings come newest first with a cursor', async () => {
    for (let i = 0; i < 2; i += 1) (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const first = await fixture.app.inject({ method: 'GET', url: '/api/recordings?limit=1' });
    const page = first.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const next = await fixture.app.inject({
      method: 'GET',
      url: `/api/recordings?limit=1&cursor=${page.nextCursor ?? ''}`,
    });
    expect(next.json<{ items: { id: string }[] }>().items[0]?.id).not.toBe(page.items[0]?.id);
    expect((await fixture.app.inject({ method: 'GET', url: '/api/recordings?limit=101' })).statusCode).toBe(
      400,
    );
    const others = await fixture.app.inject({ method: 'GET', url: '/api/recordings?userId=someone-else' });
    expect(others.json<{ items: unknown[] }>().items).toEqual([]);
  });
});

describe('with AUTH_MODE=jwt', () => {
  let fixture: RecordingsFixture;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({ env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret } });
    alice = await tokenFor('alice');
    bob = await tokenFor('bob');
  });
  afterAll(() => fixture.close());

  it('then callers see, change and watch only their own recordings', async () => {
    expect((await upload(fixture, { data: media.mp3 })).statusCode).toBe(401);
    const { id } = (await upload(fixture, { data: media.mp3, token: alice })).json<{ id: string }>();
    await waitForStatus(fixture, id, 'completed', alice);
    const as = (token: string) => ({ authorization: `Bearer ${token}` });

    expect(
      (await fixture.app.inject({ method: 'GET', url: `/api/recordings/${id}`, headers: as(bob) }))
        .statusCode,
    ).toBe(404);
    expect(
      (await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}`, headers: as(bob) }))
        .statusCode,
    ).toBe(404);
    expect(
      (await fixture.app.inject({ method: 'POST', url: `/api/recordings/${id}/retry`, headers: as(bob) }))
        .statusCode,
    ).toBe(404);
    const bobs = await fixture.app.inject({ method: 'GET', url: '/api/recordings', headers: as(bob) });
    expect(bobs.json<{ items: unknown[] }>().items).toEqual([]);
    // A claimed userId means nothing with jwt.
    const claimed = await fixture.app.inject({
      method: 'GET',
      url: '/api/recordings?userId=alice',
      headers: as(bob),
    });
    expect(claimed.json<{ items: unknown[] }>().items).toEqual([]);
    const alices = await fixture.app.inject({ method: 'GET', url: '/api/recordings', headers: as(alice) });
    expect(alices.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([id]);

    // WebSocket: no token is refused; Bob gets an error frame for Alice's recording; Alice gets its state.
    const refused = new WebSocket(`${fixture.url.replace(/^http/, 'ws')}/ws`);
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      refused.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
    const bobSocket = await connect(fixture, `?access_token=${bob}`);
    bobSocket.send({ type: 'subscribe', recordingId: id });
    await expect.poll(() => bobSocket.messages[0]).toMatchObject({ type: 'error', recordingId: id });
    await bobSocket.close();
    const aliceSocket = await connect(fixture, `?access_token=${alice}`);
    aliceSocket.send({ type: 'subscribe', recordingId: id });
    await expect.poll(() => aliceSocket.messages[0]).toMatchObject({ type: 'completed', recordingId: id });
    await aliceSocket.close();
  });
});

describe('the WebSocket protocol', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    // A peer must answer each ping within one interval. Client and server share this process, so
    // on a loaded machine a 100 ms interval dropped healthy test clients mid-test; 1 s does not.
    fixture = await buildRecordingsApp({ env: { WS_PING_INTERVAL_MS: '1000', WS_MAX_MESSAGE_BYTES: '256' } });
  });
  afterAll(() => fixture.close());

  it('when messages are malformed, then each gets an error frame and the socket stays usable', async () => {
    const client = await connect(fixture);
    client.send('not json');
    client.send({ type: 'dance' });
    client.send({ type: 'subscribe' });
    client.send({ type: 'subscribe', recordingId: '00000000-0000-4000-8000-000000000000' });
    await expect.poll(() => client.messages.length).toBe(4);
    expect(client.messages.every((m) => m.type === 'error')).toBe(true);
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await waitForStatus(fixture, id, 'completed');
    client.send({ type: 'subscribe', recordingId: id });
    // A subscription reads the recording first; a loaded machine can take longer than poll's 1 s.
    const patiently = { timeout: 10_000 };
    await expect
      .poll(() => client.messages.at(-1), patiently)
      .toMatchObject({ type: 'completed', recordingId: id, percent: 100 });
    client.send({ type: 'unsubscribe', recordingId: id });
    await expect
      .poll(() => client.messages.at(-1), patiently)
      .toMatchObject({ type: 'unsubscribed', recordingId: id });
    await client.close();
  });

  it('when a message is over the size cap, then the socket is closed with 1009', async () => {
    const client = await connect(fixture);
    const closed = new Promise<number>((resolve) =>
      client.socket.once('close', (code: number) => resolve(code)),
    );
    client.send({ type: 'subscribe', recordingId: 'x'.repeat(1000) });
    expect(await closed).toBe(1009);
  });

  it('when a peer stops answering pings, then it is dropped; the gauge counts open sockets; drain closes the rest', async () => {
    const silentPeer = new WebSocket(`${fixture.url.replace(/^http/, 'ws')}/ws`, { autoPong: false });
    await new Promise((resolve) => silentPeer.once('open', resolve));
    const dropped = new Promise<void>((resolve) => silentPeer.once('close', () => resolve()));
    const healthy = await connect(fixture);
    const metrics = await fixture.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/azimuth_ws_connections(\{[^}]*\})? 2/);
    await dropped;
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    const closed = new Promise<number>((resolve) =>
      healthy.socket.once('close', (code: number) => resolve(code)),
    );
    await fixture.lifecycle.drain();
    expect(await closed).toBe(1012);
    await expect
      .poll(async () => (await fixture.app.inject({ method: 'GET', url: '/metrics' })).body)
      .toMatch(/azimuth_ws_connections(\{[^}]*\})? 0/);
  });
});

describe('retention', () => {
  let fixture: RecordingsFixture;
  let clock = Date.now();
  beforeAll(async () => {
    fixture = await buildRecordingsApp({
      env: { RECORDINGS_RETENTION_DAYS: '30' },
      now: () => new Date(clock),
    });
  });
  afterAll(() => fixture.close());

  it('when a recording is older than the retention, then the sweep removes it; orphan blobs go after an hour', async () => {
    const { id: old } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await waitForStatus(fixture, old, 'completed');
    clock += 29 * 86_400_000;
    const { id: recent } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await waitForStatus(fixture, recent, 'completed');
    const orphan = '11111111-1111-4111-8111-111111111111';
    await fixture.bundle.store.upload(
      { container: fixture.container, name: `${orphan}/original.mp3` },
      media.mp3,
    );
    // Blobs are dated by real time; the clock is 29 days ahead, so move it back to "now" first.
    const skew = clock - Date.now();
    clock -= skew;
    expect(await fixture.worker?.sweep()).toEqual({ expired: 0, orphans: 0 });

    clock += skew + 2 * 86_400_000;
    expect(await fixture.worker?.sweep()).toEqual({ expired: 1, orphans: 1 });
    expect((await fixture.app.inject({ method: 'GET', url: `/api/recordings/${old}` })).statusCode).toBe(404);
    const names = await blobNames(fixture);
    expect(names.filter((n) => n.startsWith(old))).toEqual([]);
    expect(names.filter((n) => n.startsWith(orphan))).toEqual([]);
    expect(names.filter((n) => n.startsWith(recent))).toHaveLength(3);
    expect((await detail(fixture, recent)).status).toBe('completed');
  });
});

describe('the retention schedule', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    // Two hours ahead, so a blob written now is already past the orphans' grace hour.
    fixture = await buildRecordingsApp({
      env: { RECORDINGS_SWEEP_INTERVAL_MS: '1000' },
      now: () => new Date(Date.now() + 2 * 3_600_000),
    });
  });
  afterAll(() => fixture.close());

  it('when the interval passes, then the scheduled sweep removes orphan blobs by itself', async () => {
    const orphan = '22222222-2222-4222-8222-222222222222';
    await fixture.bundle.store.upload(
      { container: fixture.container, name: `${orphan}/original.mp3` },
      media.mp3,
    );
    expect(await blobNames(fixture)).toEqual([`${orphan}/original.mp3`]);
    await expect.poll(() => blobNames(fixture), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});

describe('when a recording is deleted while its job runs', () => {
  let fixture: RecordingsFixture;
  let release: () => void = () => undefined;
  const paused = new Promise<void>((resolve) => (release = resolve));
  let reached = false;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({
      faults: async (point) => {
        if (point !== 'compressed') return;
        reached = true;
        await paused;
      },
    });
  });
  afterAll(() => fixture.close());

  it('then the job stops at its next step and removes what it wrote after the delete', async () => {
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await expect.poll(() => reached, { timeout: 20_000 }).toBe(true);
    expect((await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}` })).statusCode).toBe(
      204,
    );
    release();
    // The job uploads compressed.mp3 after the delete, then finds the row gone and cleans up.
    await expect.poll(() => blobNames(fixture), { timeout: 20_000, interval: 100 }).toEqual([]);
    expect((await fixture.app.inject({ method: 'GET', url: `/api/recordings/${id}` })).statusCode).toBe(404);
  });
});

describe('the upload quota', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({ env: { UPLOAD_QUOTA_MB_PER_HOUR: '1' }, worker: false });
  });
  afterAll(() => fixture.close());

  it('when an upload would cross the caller’s hourly quota, then 429 and nothing more is stored', async () => {
    const part = Buffer.concat([media.mp3, Buffer.alloc(600 * 1024, 0)]);
    expect((await upload(fixture, { data: part })).statusCode).toBe(202);
    const refused = await upload(fixture, { data: part });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await blobNames(fixture)).toHaveLength(1);
  });
});
