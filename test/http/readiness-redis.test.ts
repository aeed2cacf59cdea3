// Readiness gates on Redis when it is configured: a broken Redis keeps an instance (a staging slot)
// out of rotation, while /health only calls it degraded and liveness stays up.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRedisConnections } from '../../src/platform/redis/redis-connections.js';
import { testRedisOptions } from '../helpers/redis.js';
import { available, services } from '../helpers/services.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { buildTestApp } from '../helpers/test-app.js';

describe.runIf(await available('redis'))('readiness with Redis', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('when Redis breaks, then readiness is 503 until it is back; /health says degraded', async () => {
    const proxy = await startTcpProxy({ host: services.redis.host, port: services.redis.port });
    cleanups.push(() => proxy.close());
    const redis = createRedisConnections(testRedisOptions({ port: proxy.port }), { logger: silentLogger() });
    cleanups.push(() => redis.close());
    const { app, deps } = await buildTestApp();
    cleanups.push(() => app.close());
    deps.health.register({
      name: 'database',
      driver: 'pg',
      required: true,
      check: async () => ({ status: 'healthy' }),
    });
    deps.health.register(redis.check);
    await redis.whenReady(5000);
    expect((await app.inject('/health/readiness')).statusCode).toBe(200);

    proxy.cut();
    const readiness = await app.inject('/health/readiness');
    expect(readiness.statusCode).toBe(503);
    expect(readiness.json()).toMatchObject({
      status: 'unavailable',
      dependencies: { redis: { status: 'unhealthy', required: false, gatesReadiness: true } },
    });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'degraded' });
    expect((await app.inject('/health/liveness')).statusCode).toBe(200);

    proxy.restore();
    await vi.waitFor(async () => expect((await app.inject('/health/ready')).statusCode).toBe(200), {
      timeout: 10_000,
      interval: 200,
    });
  });
});
