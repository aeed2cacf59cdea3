// The Redis QuotaStore contract on a one-database Redis (Azure Managed Redis): keys under the quota prefix.
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisQuotaStore } from '../../../src/platform/quota/redis-quota-store.js';
import { redisKeyPrefixes } from '../../../src/platform/redis/redis-key-prefixes.js';
import { oneDatabaseRedis, redisServerInstalled } from '../../helpers/one-database-redis.js';
import { describeQuotaStoreContract } from './quota-store-contract.js';

describe.runIf(redisServerInstalled())('redis quota store on one database', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  describeQuotaStoreContract('redis', async () => {
    const connections = await server.connections();
    // The composition root's choice: quotas share the rate-limit connection.
    const redis = connections.connect('rateLimit');
    await connections.whenReady(5000);
    return {
      make: (clock) => createRedisQuotaStore({ redis, now: () => clock.now }),
      close: () => connections.close(),
    };
  });

  it('then every key it wrote is under the quota prefix', () => {
    expect(server.outside(redisKeyPrefixes.quota)).toEqual({ touched: true, outside: [] });
  });
});
