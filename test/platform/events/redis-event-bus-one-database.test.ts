// The event bus contract on a one-database Redis (Azure Managed Redis): streams and channels under the events prefix.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventBus } from '../../../src/platform/events/redis-event-bus.js';
import { redisKeyPrefixes } from '../../../src/platform/redis/redis-key-prefixes.js';
import { oneDatabaseRedis, redisServerInstalled } from '../../helpers/one-database-redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { contractReplaySize, describeEventBusContract } from './event-bus-contract.js';

describe.runIf(redisServerInstalled())('redis event bus on one database', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  describeEventBusContract('redis', async () => {
    const connections = await server.connections();
    const admin = new Redis({ port: await server.port() });
    const make = async () => {
      const publisher = connections.connect('events', 'command');
      const subscriber = connections.connect('events', 'subscriber');
      await connections.whenReady(5000);
      return new RedisEventBus(
        { replaySize: contractReplaySize },
        { logger: silentLogger(), publisher, subscriber },
      );
    };
    return {
      make,
      makePeer: make,
      async listeners(channel: string) {
        const reply = (await admin.pubsub('NUMSUB', `${redisKeyPrefixes.events}${channel}`)) as [
          string,
          number,
        ];
        return reply[1];
      },
      async cleanup() {
        await connections.close();
        admin.disconnect();
      },
    };
  });

  it('then every stream and channel it used is under the events prefix', () => {
    expect(server.outside(redisKeyPrefixes.events)).toEqual({ touched: true, outside: [] });
  });
});
