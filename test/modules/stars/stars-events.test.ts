// The live event streams over a listening server: a real EventSource gets every change in order,
// resumes with Last-Event-ID, sees events from another instance (Redis); streams are capped,
// closed on drain, and leave nothing behind (subscriber, timer, socket) when clients go.
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisEventBus } from '../../../src/platform/events/redis-event-bus.js';
import { createRedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { framesOf, openRawStream, type RawStream } from './helpers/raw-stream.js';
import type { ManagedEventBus } from '../../../src/platform/events/event-bus.js';
import { buildTestApp, type TestAppFor } from '../../helpers/test-app.js';
import { pgliteFixture } from './helpers/store-fixtures.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;

const redisUp = await available('redis');
const fixture = pgliteFixture();

interface Change {
  type: string;
  data: { id: string; likes?: number };
}

let t: StarsApp;
let base: string;

beforeAll(() => fixture.start());
afterAll(() => fixture.stop());
afterEach(async () => {
  await t.close();
});

async function listen(
  options: { heartbeatMs?: number; env?: Record<string, string>; events?: ManagedEventBus } = {},
) {
  t = await buildTestApp({
    modules: ['stars'],
    stars: {
      store: await fixture.make(),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    },
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
}

async function post(path: string, payload?: object) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    ...(payload ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) } : {}),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as { id: string };
}

/** A real EventSource that records each message (data parsed) and its lastEventId. */
function eventSource(url: string) {
  const source = new EventSource(url);
  const messages: Array<{ id: string; change: Change }> = [];
  const waiters = new Set<() => void>();
  source.onmessage = (event) => {
    messages.push({ id: event.lastEventId, change: JSON.parse(event.data as string) as Change });
    for (const waiter of [...waiters]) waiter();
  };
  const opened = new Promise<void>((resolve) => {
    source.onopen = () => resolve();
  });
  return {
    source,
    messages,
    opened,
    count: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (messages.length < n) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

describe('star and user event streams', () => {
  it('when stars are created, liked and deleted, then an EventSource receives each, in order, with ids', async () => {
    await listen();
    const client = eventSource(`${base}/events/stars/stream`);
    await client.opened;
    const user = await post('/users', { name: 'Ada' });
    const star = await post('/stars', { userId: user.id, name: 'Vega', ra: 1, dec: 2 });
    await post(`/stars/${star.id}/like`, { userId: user.id });
    const response = await fetch(`${base}/stars/${star.id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);

    await client.count(3);
    client.source.close();
    expect(client.messages.map((m) => [m.change.type, m.change.data.id, m.change.data.likes])).toEqual([
      ['create', star.id, 0],
      ['update', star.id, 1],
      ['delete', star.id, 1],
    ]);
    const ids = client.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);
  });

  it('when users change, then the users stream carries them', async () => {
    await listen();
    const client = eventSource(`${base}/events/users/stream`);
    await client.opened;
    const user = await post('/users', { name: 'Ada' });
    await fetch(`${base}/users/${user.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada L.' }),
    });
    await fetch(`${base}/users/${user.id}`, { method: 'DELETE' });
    await client.count(3);
    client.source.close();
    expect(client.messages.map((m) => m.change.type)).toEqual(['create', 'update', 'delete']);
  });

  it('when a stream opens, then it has the SSE headers, the correlation id and CORS, and is not compressed', async () => {
    await listen();
    const stream = await openRawStream(`${base}/events/stars/stream`, {
      origin: 'http://localhost:3000',
      'accept-encoding': 'gzip, br',
      'x-correlation-id': 'corr-123',
    });
    const { headers, statusCode } = stream.response;
    expect(statusCode).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['x-correlation-id']).toBe('corr-123');
    expect(headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await stream.until((text) => text.includes(': connected'));
    stream.close();
  });

  it('when a client reconnects with Last-Event-ID (header or query), then it gets exactly the events it missed', async () => {
    await listen();
    const user = await post('/users', { name: 'Ada' });
    const first = eventSource(`${base}/events/stars/stream`);
    await first.opened;
    const vega = await post('/stars', { userId: user.id, name: 'Vega', ra: 1, dec: 2 });
    await first.count(1);
    first.source.close();
    const lastSeen = first.messages[0]?.id ?? '';

    const deneb = await post('/stars', { userId: user.id, name: 'Deneb', ra: 3, dec: 4 });
    await post(`/stars/${vega.id}/like`, { userId: user.id });

    // EventSource cannot set Last-Event-ID on its first request: the query parameter is for that.
    const resumed = eventSource(`${base}/events/stars/stream?lastEventId=${encodeURIComponent(lastSeen)}`);
    await resumed.count(2);
    const altair = await post('/stars', { userId: user.id, name: 'Altair', ra: 5, dec: 6 });
    await resumed.count(3);
    resumed.source.close();
    expect(resumed.messages.map((m) => [m.change.type, m.change.data.id])).toEqual([
      ['create', deneb.id],
      ['update', vega.id],
      ['create', altair.id],
    ]);

    const viaHeader = await openRawStream(`${base}/events/stars/stream`, { 'last-event-id': lastSeen });
    const text = await viaHeader.until((received) => framesOf(received).length === 3);
    viaHeader.close();
    expect(framesOf(text).map((f) => (f.data as Change).data.id)).toEqual([deneb.id, vega.id, altair.id]);
  });

  it('when the heartbeat interval passes, then every open stream gets a comment line', async () => {
    await listen({ heartbeatMs: 20 });
    const streams = await Promise.all([1, 2].map(() => openRawStream(`${base}/events/stars/stream`)));
    await Promise.all(streams.map((s) => s.until((text) => text.includes(': heartbeat'))));
    for (const s of streams) s.close();
  });

  it('when SSE_MAX_CONNECTIONS streams are open, then one more is refused with 503 until one closes', async () => {
    await listen({ env: { SSE_MAX_CONNECTIONS: '2' } });
    const open = await Promise.all([1, 2].map(() => openRawStream(`${base}/events/stars/stream`)));
    const refused = await fetch(`${base}/events/users/stream`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    open[0]?.close();
    await vi.waitFor(() => expect(t.stars.streamStats().connections).toBe(1));
    const admitted = await openRawStream(`${base}/events/users/stream`);
    expect(admitted.response.statusCode).toBe(200);
    admitted.close();
    open[1]?.close();
  });

  it('when streams are open, then the gauge counts them per channel', async () => {
    await listen();
    const streams = await Promise.all([
      openRawStream(`${base}/events/stars/stream`),
      openRawStream(`${base}/events/stars/stream`),
      openRawStream(`${base}/events/users/stream`),
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('azimuth_sse_connections{channel="stars"} 2');
    expect(metrics).toContain('azimuth_sse_connections{channel="users"} 1');
    for (const s of streams) s.close();
    await vi.waitFor(() => expect(t.stars.streamStats().connections).toBe(0));
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'azimuth_sse_connections{channel="stars"} 0',
    );
  });

  it('when the server drains, then open streams end, new ones are refused, and the server can close', async () => {
    await listen();
    const streams = await Promise.all([1, 2, 3].map(() => openRawStream(`${base}/events/stars/stream`)));
    await t.lifecycle.drain();
    await Promise.all(streams.map((s) => s.ended));
    expect(t.stars.streamStats()).toEqual({ connections: 0, byChannel: {}, heartbeatTimer: false });
    expect(t.events.stats().subscribers).toBe(0);
    expect((await fetch(`${base}/events/stars/stream`)).status).toBe(503);
  });

  it('when a stream that carried events ends, then the client has read a complete chunked body ending with the retry line', async () => {
    await listen();
    const stream = await openRawStream(`${base}/events/stars/stream`);
    await stream.until((text) => text.includes(': connected'));
    const user = await post('/users', { name: 'Ada' });
    for (const name of ['Vega', 'Deneb']) await post('/stars', { userId: user.id, name, ra: 1, dec: 2 });
    await stream.until((text) => framesOf(text).length === 2);
    await t.lifecycle.drain();
    await stream.ended;
    // Node's parser sets `complete` only after the terminating chunk: the events written straight
    // to the socket and the end Node wrote made one valid chunked body.
    expect(stream.response.headers['transfer-encoding']).toBe('chunked');
    expect(stream.response.complete).toBe(true);
    expect(stream.text()).toMatch(/retry: \d+\n\n$/);
  });

  it('when the app closes with streams open, then they end and close() returns', async () => {
    await listen();
    const streams = await Promise.all([1, 2].map(() => openRawStream(`${base}/events/users/stream`)));
    await t.app.close();
    await Promise.all(streams.map((s) => s.ended));
    expect(t.events.stats().subscribers).toBe(0);
  });

  it('when 2,000 clients connect and go, then no subscriber, timer or socket is left behind', async () => {
    await listen({ heartbeatMs: 1000 });
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    for (let batch = 0; batch < 20; batch++) {
      const streams: RawStream[] = await Promise.all(
        Array.from({ length: 100 }, () => openRawStream(`${base}/events/stars/stream`)),
      );
      await Promise.all(streams.map((s) => s.until((text) => text.includes(': connected'))));
      if (batch === 0) expect(t.stars.streamStats().connections).toBe(100);
      for (const s of streams) s.close();
    }
    await vi.waitFor(
      async () => {
        expect(t.stars.streamStats()).toEqual({ connections: 0, byChannel: {}, heartbeatTimer: false });
        expect(t.events.stats()).toEqual({ channels: 0, subscribers: 0 });
        const sockets = await new Promise<number>((resolve, reject) =>
          t.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
        );
        expect(sockets).toBe(0);
      },
      { timeout: 10_000 },
    );
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });
});

describe.runIf(redisUp)('events from another instance (Redis)', () => {
  it('when another instance publishes a change, then this instance’s streams deliver it, and replay works across them', async () => {
    const prefix = uniquePrefix('stars-sse');
    const connections = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
    const busOf = async () => {
      const publisher = connections.connect('events', 'command');
      await new Promise((resolve) => publisher.once('ready', resolve));
      return new RedisEventBus(
        { replaySize: 100, prefix },
        { logger: silentLogger(), publisher, subscriber: connections.connect('events', 'subscriber') },
      );
    };
    const ours = await busOf();
    const theirs = await busOf();
    try {
      await listen({ events: ours });
      const client = eventSource(`${base}/events/stars/stream`);
      await client.opened;
      // Until this instance's Redis subscription is live, warm-up events prove the path.
      const warmUp = '0190a1b2-0000-7000-8000-000000000000';
      await vi.waitFor(
        async () => {
          await theirs.publish('stars', { type: 'create', data: { id: warmUp } });
          expect(client.messages.length).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 200 },
      );
      const id = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
      const first = await theirs.publish('stars', { type: 'create', data: { id } });
      await theirs.publish('stars', { type: 'update', data: { id, likes: 1 } });
      await vi.waitFor(() => expect(client.messages.filter((m) => m.change.data.id === id)).toHaveLength(2));
      client.source.close();
      expect(
        client.messages.filter((m) => m.change.data.id === id).map((m) => [m.id, m.change.type]),
      ).toEqual([
        [first, 'create'],
        [expect.any(String), 'update'],
      ]);
      const resumed = await openRawStream(`${base}/events/stars/stream?lastEventId=${first}`);
      const text = await resumed.until((received) => framesOf(received).length === 1);
      resumed.close();
      expect(framesOf(text)[0]?.data).toEqual({ type: 'update', data: { id, likes: 1 } });
    } finally {
      await t.close();
      await ours.close();
      await theirs.close();
      await connections.close();
    }
  });
});
