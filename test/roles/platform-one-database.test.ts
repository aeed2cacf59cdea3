// The whole composition on a one-database Redis (Azure Managed Redis): REDIS_DATABASE_MODE=auto
// finds out, every purpose works on database 0, and each key lands under its purpose's prefix.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { redisKeyPrefixes } from '../../src/platform/redis/redis-key-prefixes.js';
import { createModules } from '../../src/roles/modules.js';
import { createPlatform } from '../../src/roles/platform.js';
import { appDeps } from '../../src/roles/serve.js';
import { oneDatabaseRedis, redisServerInstalled } from '../helpers/one-database-redis.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { testSettings } from '../helpers/test-settings.js';

describe.runIf(redisServerInstalled())('the composition root on a one-database Redis', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  it('when every purpose is used, then all share database 0 and no key lands outside its prefix', async () => {
    const settings = await testSettings({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-one-db-')),
      REDIS_URL: `redis://127.0.0.1:${await server.port()}`,
      API_RATE_LIMIT_GLOBAL: '6',
    });
    const platform = await createPlatform(settings, silentLogger(), 'all');
    const modules = await createModules(platform, { settings, processJobs: true });
    const app = await buildApp(appDeps(platform, modules.routes));
    platform.lifecycle.markReady();
    try {
      expect(platform.redis?.databaseMode).toBe('single');
      // A write (which publishes an event), a cached read, an event of our own, a job on BullMQ.
      expect(
        (await app.inject({ method: 'POST', url: '/users', payload: { name: 'Vega' } })).statusCode,
      ).toBe(201);
      expect((await app.inject('/stars/active')).statusCode).toBe(200);
      await platform.events.publish('probe', { hello: 'stars' });
      await platform.jobs.enqueue('probe', { n: 1 });
      const statuses = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await app.inject('/')).statusCode);
      expect(statuses).toContain(429);
      expect((await app.inject('/health/readiness')).statusCode).toBe(200);
    } finally {
      await app.close();
      await modules.stopWorkers();
      await modules.close();
      await platform.close();
    }

    const prefixes = [
      redisKeyPrefixes.cache,
      redisKeyPrefixes.events,
      `${redisKeyPrefixes.jobs}:`,
      redisKeyPrefixes.rateLimit,
    ];
    const touched = server.touched();
    for (const prefix of prefixes)
      expect(
        touched.some((key) => key.startsWith(prefix)),
        prefix,
      ).toBe(true);
    expect(touched.filter((key) => !prefixes.some((prefix) => key.startsWith(prefix)))).toEqual([]);
    // PGlite's first start is slow on a busy machine.
  }, 120_000);
});
