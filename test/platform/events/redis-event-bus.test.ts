// The event bus contract on Redis, and catch-up after the reader's connection is cut.
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { RedisEventBus } from '../../../src/platform/events/redis-event-bus.js';
import { createRedisConnections } from '../../../src/platform/redis/redis-connections.js';
import { available, services } from '../../helpers/services.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { collector, contractReplaySize, describeEventBusContract } from './event-bus-contract.js';

const redisUp = await available('redis');

async function dropPrefix(prefix: string): Promise<void> {
  const admin = new Redis({ host: services.redis.host, port: services.redis.port, db: 1 });
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}

describe.runIf(redisUp)('redis event bus', () => {
  describeEventBusContract('redis', () => {
    const prefix = uniquePrefix('events');
    const connections = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
    const admin = new Redis({ host: services.redis.host, port: services.redis.port });
    const make = async () => {
      const publisher = connections.connect('events', 'command');
      await new Promise((resolve) => publisher.once('ready', resolve));
      const subscriber = connections.connect('events', 'subscriber');
      return new RedisEventBus(
        { replaySize: contractReplaySize, prefix },
        { logger: silentLogger(), publisher, subscriber },
      );
    };
    return Promise.resolve({
      make,
      makePeer: make,
      async listeners(channel: string) {
        const reply = (await admin.pubsub('NUMSUB', `${prefix}${channel}`)) as [string, number];
        return reply[1];
      },
      async cleanup() {
        await connections.close();
        await admin.quit();
        await dropPrefix(prefix);
      },
    });
  });

  it('when the reader’s connection drops, then events published meanwhile arrive in order after it recovers', async () => {
    const prefix = uniquePrefix('events-fault');
    const proxy = await startTcpProxy({ host: services.redis.host, port: services.redis.port });
    const direct = createRedisConnections(testRedisOptions(), { logger: silentLogger() });
    const viaProxy = createRedisConnections(testRedisOptions({ port: proxy.port }), {
      logger: silentLogger(),
    });
    const publisherBus = new RedisEventBus(
      { replaySize: 100, prefix },
      {
        logger: silentLogger(),
        publisher: direct.connect('events'),
        subscriber: direct.connect('events', 'subscriber'),
      },
    );
    const subscriberConnection = viaProxy.connect('events', 'subscriber');
    const readerBus = new RedisEventBus(
      { replaySize: 100, prefix },
      { logger: silentLogger(), publisher: viaProxy.connect('events'), subscriber: subscriberConnection },
    );
    try {
      await new Promise((resolve) => setImmediate(resolve));
      const got = collector<number>();
      const sub = readerBus.subscribe<number>('room', { onEvent: got.onEvent });
      await sub.ready;
      await vi.waitFor(() => expect(subscriberConnection.status).toBe('ready'));
      await publisherBus.publish('room', 1);
      await got.waitFor(1);

      proxy.cut();
      await vi.waitFor(() => expect(subscriberConnection.status).not.toBe('ready'));
      for (let n = 2; n <= 5; n += 1) await publisherBus.publish('room', n);
      expect((await readerBus.check.check(AbortSignal.timeout(2000))).status).toBe('degraded');

      proxy.restore();
      await got.waitFor(5);
      await publisherBus.publish('room', 6);
      await got.waitFor(6);
      expect(got.events.map((e) => e.data)).toEqual([1, 2, 3, 4, 5, 6]);
      sub.unsubscribe();
    } finally {
      await readerBus.close();
      await publisherBus.close();
      await viaProxy.close();
      await direct.close();
      await proxy.close();
      await dropPrefix(prefix);
    }
  });
});
