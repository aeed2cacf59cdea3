// The Redis QuotaStore against the contract, on the real Redis (keys under a unique prefix).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import { createRedisQuotaStore } from '../../../src/platform/quota/redis-quota-store.js';
import { available, services } from '../../helpers/services.js';
import { describeQuotaStoreContract } from './quota-store-contract.js';

describe.runIf(await available('redis'))('redis quota store', () => {
  const prefix = `test:quota:${randomUUID()}:`;
  const redis = new Redis(services.redis.url, { lazyConnect: true });
  describeQuotaStoreContract('redis', async () => {
    await redis.connect();
    return {
      make: (clock) => createRedisQuotaStore({ redis, keyPrefix: prefix, now: () => clock.now }),
      close: async () => {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      },
    };
  });
});
