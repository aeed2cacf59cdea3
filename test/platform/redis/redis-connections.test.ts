// Connections per purpose: the right database, fail-fast while down, recovery without help.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createRedisConnections,
  type RedisConnections,
} from '../../../src/platform/redis/redis-connections.js';
import { pingRedis } from '../../../src/platform/redis/redis-health.js';
import { available, services } from '../../helpers/services.js';
import { testRedisOptions } from '../../helpers/redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

describe.runIf(await available('redis'))('redis connections', () => {
  let proxy: TcpProxy;
  let connections: RedisConnections;
  beforeAll(async () => {
    proxy = await startTcpProxy({ host: services.redis.host, port: services.redis.port });
    connections = createRedisConnections(testRedisOptions({ port: proxy.port }), { logger: silentLogger() });
  });
  afterAll(async () => {
    await connections.close();
    await proxy.close();
  });

  it('when a purpose is asked for, then the connection uses its logical database', async () => {
    const rateLimit = connections.connect('rateLimit');
    await new Promise((resolve) => rateLimit.once('ready', resolve));
    const info = await rateLimit.client('INFO');
    expect(info).toMatch(/ db=3 /);
    expect(info).toMatch(/name=azimuth:rateLimit:command/);
  });

  it('when Redis is unreachable, then commands fail at once, health says why, and it recovers by itself', async () => {
    const client = connections.connect('cache');
    await new Promise((resolve) => client.once('ready', resolve));
    expect(await pingRedis(client)).toMatchObject({ status: 'healthy' });
    proxy.cut();
    await vi.waitFor(() => expect(client.status).not.toBe('ready'), { timeout: 10_000 });
    // No offline queue: the command is rejected, not parked until Redis returns.
    await expect(client.get('x')).rejects.toThrow();
    const down = await pingRedis(client);
    expect(down.status).toBe('unhealthy');
    expect(down.latencyMs).toBeNull();
    expect(down.error).toBeTruthy();
    expect((await connections.check.check(AbortSignal.timeout(2000))).status).toBe('unhealthy');
    proxy.restore();
    await vi.waitFor(() => expect(client.status).toBe('ready'), { timeout: 10_000 });
    expect(await pingRedis(client)).toMatchObject({ status: 'healthy' });
    // The health check has a connection of its own, which reconnects on its own schedule.
    await expect
      .poll(async () => (await connections.check.check(AbortSignal.timeout(2000))).status, {
        timeout: 10_000,
      })
      .toBe('healthy');
  });
});
