// Connections on a one-database Redis (Azure Managed Redis): `auto` finds out from the refused
// SELECT, and a connection told to use another database still lands on 0 rather than failing.
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { probeDatabaseMode, resolveDatabaseMode } from '../../../src/platform/redis/redis-database-mode.js';
import { freePort } from '../../helpers/ports.js';
import { oneDatabaseRedis, redisServerInstalled } from '../../helpers/one-database-redis.js';
import { testRedisOptions } from '../../helpers/redis.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const redisUp = await available('redis');

describe.runIf(redisServerInstalled())('redis connections on one database', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  it('when the mode is auto and the server refuses SELECT, then every purpose uses database 0', async () => {
    const connections = await server.connections();
    try {
      expect(connections.databaseMode).toBe('single');
      for (const purpose of ['cache', 'events', 'jobs', 'rateLimit'] as const) {
        const client = connections.connect(purpose);
        await connections.whenReady(5000);
        expect(await client.client('INFO')).toMatch(/ db=0 /);
        expect(connections.options(purpose, 'bullmq').db).toBe(0);
      }
      expect((await connections.check.check(AbortSignal.timeout(2000))).status).toBe('healthy');
    } finally {
      await connections.close();
    }
  });

  it('when per-purpose databases are forced anyway, then the refused SELECT leaves the connection working on database 0', async () => {
    const port = await server.port();
    const connections = createRedisConnections(testRedisOptions({ port, databaseMode: 'per-purpose' }), {
      logger: silentLogger(),
    });
    try {
      const client = connections.connect('rateLimit');
      await connections.whenReady(5000);
      await client.set('azimuth:rate-limit:probe', '1');
      expect(await client.client('INFO')).toMatch(/ db=0 /);
      // Reconnects no longer ask for database 3.
      expect(client.options.db).toBe(0);
    } finally {
      await connections.close();
    }
  });
});

describe('redis database mode', () => {
  it('when the server cannot be reached, then auto keeps the per-purpose databases', async () => {
    const options = testRedisOptions({ port: await freePort(), databaseMode: 'auto', connectTimeoutMs: 300 });
    expect(await probeDatabaseMode(options)).toBeUndefined();
    expect(await resolveDatabaseMode(options)).toEqual({ mode: 'per-purpose', decidedBy: 'fallback' });
  });

  it('when set, then the setting decides without asking', async () => {
    const options = testRedisOptions({ port: await freePort(), databaseMode: 'single' });
    expect(await resolveDatabaseMode(options)).toEqual({ mode: 'single', decidedBy: 'setting' });
  });

  it.runIf(redisUp)('when the server has the databases, then auto uses them', async () => {
    expect(await resolveDatabaseMode(testRedisOptions({ databaseMode: 'auto' }))).toEqual({
      mode: 'per-purpose',
      decidedBy: 'server',
    });
  });
});
