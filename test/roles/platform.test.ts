import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/app-types.js';
import { createModules, type Modules } from '../../src/roles/modules.js';
import { createPlatform, type Platform } from '../../src/roles/platform.js';
import { appDeps } from '../../src/roles/serve.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { available, services } from '../helpers/services.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { testSettings } from '../helpers/test-settings.js';

const redisUp = await available('redis');
const postgresUp = await available('postgres');
const rateLimitDb = '9';

const opened: { platform: Platform; app: App; modules: Modules }[] = [];
afterEach(async () => {
  for (const { app, platform, modules } of opened.splice(0)) {
    await app.close();
    await modules.stopWorkers();
    await modules.close();
    await platform.close();
  }
});

async function start(env: Record<string, string>, options = { processJobs: true }) {
  const settings = await testSettings({ DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-platform-')), ...env });
  const platform = await createPlatform(settings, silentLogger(), 'all');
  const modules = await createModules(platform, { settings, ...options });
  const app = await buildApp(appDeps(platform, modules.routes));
  platform.lifecycle.markReady();
  opened.push({ platform, app, modules });
  return { platform, app };
}

describe('the composition root', () => {
  it('with no settings, runs every port embedded and says so on /health', async () => {
    const { platform, app } = await start({});
    expect(platform.describe()).toBe(
      'database=pglite, cache=memory, events=memory, jobs=in-process, storage=disk, llm=none, stars-store=pglite, ffmpeg=ffmpeg',
    );
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'healthy',
      dependencies: {
        database: { driver: 'pglite', status: 'healthy' },
        cache: { driver: 'memory' },
        events: { driver: 'memory' },
        jobs: { driver: 'in-process' },
        storage: { driver: 'disk', status: 'healthy' },
        llm: { driver: 'none' },
      },
    });
  });

  it('serves the modules from the composed ports: stars, users and files', async () => {
    const { app, platform } = await start({});
    const user = await app.inject({ method: 'POST', url: '/users', payload: { name: 'Vega' } });
    expect(user.statusCode).toBe(201);
    const userId = user.json<{ id: string }>().id;
    const star = await app.inject({
      method: 'POST',
      url: '/stars',
      payload: { userId, name: 'Sirius', ra: 101.28, dec: -16.7 },
    });
    expect(star.statusCode).toBe(201);
    const starId = star.json<{ id: string }>().id;
    expect(
      (await app.inject({ method: 'POST', url: `/stars/${starId}/like`, payload: { userId } })).json(),
    ).toMatchObject({
      star: { likes: 1 },
    });
    expect((await app.inject(`/stars/${starId}`)).json()).toMatchObject({ name: 'Sirius', likes: 1 });

    const boundary = 'azimuth-boundary';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="hello.txt"',
      'Content-Type: text/plain',
      '',
      'hello, stars',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const upload = await app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(upload.statusCode).toBe(201);
    const { name } = upload.json<{ name: string }>();
    expect((await app.inject(`/api/files/${name}`)).body).toBe('hello, stars');
    // Every storage operation leaves an audit row in the database (written in batches: flushed here).
    await platform.audit.flush();
    const audit = await platform.database.db
      .selectFrom('audit_log')
      .select(['operation', 'target', 'outcome', 'bytes'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({
        operation: 'blob.upload',
        outcome: 'success',
        target: expect.stringContaining(name),
      }),
      expect.objectContaining({
        operation: 'blob.download',
        outcome: 'success',
        target: expect.stringContaining(name),
      }),
    ]);
    expect(await platform.metrics.getSingleMetricAsString('blob_uploads_total')).toMatch(
      /blob_uploads_total\{[^}]*\} 1/,
    );
    expect((await app.inject('/health')).json()).toMatchObject({
      dependencies: { 'stars-store': { driver: 'pglite', status: 'healthy' } },
    });
  });

  describe.runIf(redisUp && postgresUp)('with PostgreSQL and Redis', () => {
    let database: TestPostgres | undefined;
    afterAll(() => database?.drop());

    it('uses the real drivers and reports each on /health', async () => {
      database = await createTestPostgres('platform');
      const { platform, app } = await start({ DATABASE_URL: database.url, REDIS_URL: services.redis.url });
      expect(platform.describe()).toBe(
        'database=postgres, redis=redis, cache=redis, events=redis, jobs=bullmq, storage=disk, llm=none, stars-store=postgres, ffmpeg=ffmpeg',
      );
      expect((await app.inject('/health')).json()).toMatchObject({
        status: 'healthy',
        dependencies: {
          database: { driver: 'postgres', status: 'healthy' },
          redis: { driver: 'redis', status: 'healthy' },
          cache: { driver: 'redis', status: 'healthy' },
          events: { driver: 'redis', status: 'healthy' },
          jobs: { driver: 'bullmq', status: 'healthy' },
        },
      });
    });
  });

  describe.runIf(redisUp)('rate limits on Redis', () => {
    const flush = async () => {
      const admin = new Redis({
        host: services.redis.host,
        port: services.redis.port,
        db: Number(rateLimitDb),
      });
      await admin.flushdb();
      await admin.quit();
    };

    it('hold across instances', async () => {
      await flush();
      const env = {
        REDIS_URL: services.redis.url,
        REDIS_DB_RATE_LIMIT: rateLimitDb,
        API_RATE_LIMIT_GLOBAL: '4',
      };
      const [one, two] = [await start(env), await start(env)];
      const statuses = [];
      for (const { app } of [one, two, one, two, one]) statuses.push((await app.inject('/')).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    });

    it.each([
      ['true', 200],
      ['false', 503],
    ])(
      'when Redis is unreachable and API_RATE_LIMIT_FAIL_OPEN=%s, then requests get %i, and recover',
      async (failOpen, status) => {
        await flush();
        const proxy = await startTcpProxy({ host: services.redis.host, port: services.redis.port });
        try {
          // No job processors: this is about the API's rate limits alone.
          const { app } = await start(
            {
              REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
              REDIS_DB_RATE_LIMIT: rateLimitDb,
              API_RATE_LIMIT_FAIL_OPEN: failOpen,
            },
            { processJobs: false },
          );
          expect((await app.inject('/')).statusCode).toBe(200);

          proxy.cut();
          const down = await app.inject('/');
          expect(down.statusCode).toBe(status);
          if (status === 503) expect(down.headers['content-type']).toMatch(/problem\+json/);
          // The 404 handler's own limiter follows the same rule.
          const missing = await app.inject('/no-such-route');
          expect(missing.statusCode).toBe(status === 503 ? 503 : 404);
          expect((await app.inject('/health/liveness')).statusCode).toBe(200);

          proxy.restore();
          await expect
            .poll(async () => (await app.inject('/')).statusCode, { timeout: 10_000, interval: 100 })
            .toBe(200);
        } finally {
          await proxy.close();
        }
      },
    );
  });
});
