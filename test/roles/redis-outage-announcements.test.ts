// Stars written while Redis is down, through the composition root on a redis-server of the test's
// own: every write is acknowledged, every change is announced once Redis is back (in order, none
// missing or doubled, to a stream that also resumes with Last-Event-ID), and no cached list from
// before the outage outlives it. The server keeps its data across the kill (append-only file), as
// a network partition or a persistent cache node would, so a lost invalidation would show.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childServer, type ChildServer } from '../../scripts/chaos/child-server.js';
import { openSseClient } from '../../scripts/chaos/sse-client.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/app-types.js';
import { createModules, type Modules } from '../../src/roles/modules.js';
import { createPlatform, type Platform } from '../../src/roles/platform.js';
import { appDeps } from '../../src/roles/serve.js';
import { redisServerInstalled } from '../helpers/one-database-redis.js';
import { freePort } from '../helpers/ports.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { available } from '../helpers/services.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { testSettings } from '../helpers/test-settings.js';

// PostgreSQL as deployed (and much quicker to start than the embedded database on a busy machine).
const runnable = redisServerInstalled() && (await available('postgres'));

describe.runIf(runnable)('when Redis is killed while stars are written, and started again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'azimuth-outage-'));
  let redis: ChildServer;
  let database: TestPostgres;
  let platform: Platform;
  let modules: Modules;
  let app: App;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    redis = childServer({
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir].concat([
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ]),
      port,
      what: 'redis-server',
      stopSignal: 'SIGKILL',
    });
    await redis.start();
    database = await createTestPostgres('outage');
    const settings = await testSettings({
      DATABASE_URL: database.url,
      DATA_DIR: join(dir, 'data'),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      API_RATE_LIMIT_TIMES: '100000',
      API_RATE_LIMIT_GLOBAL: '100000',
    });
    platform = await createPlatform(settings, silentLogger(), 'api');
    modules = await createModules(platform, { settings, processJobs: false });
    app = await buildApp(appDeps(platform, modules.routes, 'api'));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    platform.lifecycle.markReady();
  });

  afterAll(async () => {
    await app.close();
    await modules.close();
    await platform.close();
    await redis.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (path: string, body: object) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const activeIds = async () => {
    const response = await fetch(`${base}/stars/active?limit=100`);
    return ((await response.json()) as { items: Array<{ id: string }> }).items.map((s) => s.id);
  };
  const eventsHealth = async () => {
    const response = await fetch(`${base}/health`);
    const report = (await response.json()) as {
      dependencies: { events: { status: string; details?: { pendingEvents?: number } } };
    };
    return report.dependencies.events;
  };

  it('then every acknowledged change is announced once, in order, and the cached list is not stale', async () => {
    const userId = await post('/users', { name: 'Vega' });
    const star = (name: string) => post('/stars', { userId, name, ra: 10, dec: 20 });
    const sse = openSseClient(`${base}/events/stars/stream`, { reconnectMs: 50 });
    try {
      // Until the stream's Redis subscription is live, warm-up stars prove the path.
      const warmUp: string[] = [];
      await vi.waitFor(
        async () => {
          warmUp.push(await star('warm-up'));
          expect(sse.created.size).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 200 },
      );
      const before = await star('before');
      await vi.waitFor(() => expect(sse.created.has(before)).toBe(true));
      expect(await activeIds()).toContain(before); // now cached in Redis
      const idsBefore = sse.ids.length;

      await redis.stop();
      const during: string[] = [];
      for (let n = 1; n <= 5; n += 1) during.push(await star(`during-${n}`));
      expect(await platform.relay.pending()).toBe(5);
      expect(await eventsHealth()).toMatchObject({ status: 'degraded', details: { pendingEvents: 5 } });
      expect(sse.ids.length).toBe(idsBefore);

      await redis.start();
      await vi.waitFor(async () => expect(await platform.relay.pending()).toBe(0), { timeout: 15_000 });
      await vi.waitFor(() => expect(during.every((id) => sse.created.has(id))).toBe(true), {
        timeout: 10_000,
      });
      // The list cached before the outage lacks them; its invalidation failed, and must not be lost.
      const listed = await activeIds();
      for (const id of [before, ...during]) expect(listed).toContain(id);

      // A client whose connection blips now resumes with Last-Event-ID and gets what follows.
      sse.drop();
      const after = await star('after');
      await vi.waitFor(() => expect(sse.created.has(after)).toBe(true), { timeout: 10_000 });

      expect(sse.resumed).toBeGreaterThanOrEqual(1);
      // Only creates on this stream: one event per star seen means nothing was announced twice.
      expect(sse.ids).toEqual([...new Set(sse.ids)]);
      expect(sse.ids).toHaveLength(sse.created.size);
      // The client's Set keeps the order the events arrived in.
      expect([...sse.created]).toEqual([
        ...warmUp.filter((id) => sse.created.has(id)),
        before,
        ...during,
        after,
      ]);
      await vi.waitFor(async () => expect(await eventsHealth()).toMatchObject({ status: 'healthy' }), {
        timeout: 10_000,
      });
    } finally {
      sse.close();
    }
  });
});
