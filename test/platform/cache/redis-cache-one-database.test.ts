// The cache contract on a one-database Redis (Azure Managed Redis): database 0, keys under the cache prefix.
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../../src/platform/cache/redis-cache.js';
import { redisKeyPrefixes } from '../../../src/platform/redis/redis-key-prefixes.js';
import { oneDatabaseRedis, redisServerInstalled } from '../../helpers/one-database-redis.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { contractPolicy, describeCacheContract } from './cache-contract.js';

describe.runIf(redisServerInstalled())('redis cache on one database', () => {
  const server = oneDatabaseRedis();
  afterAll(() => server.close());

  let databaseMode = '';
  describeCacheContract('redis', async () => {
    const connections = await server.connections();
    databaseMode = connections.databaseMode;
    const make = async () => {
      const client = connections.connect('cache');
      await connections.whenReady(5000);
      return new RedisCache(contractPolicy, { logger: silentLogger(), client });
    };
    return { make, makePeer: make, cleanup: () => connections.close() };
  });

  it('then the refused SELECT put it on database 0, and every key it wrote is under the cache prefix', () => {
    expect(databaseMode).toBe('single');
    expect(server.outside(redisKeyPrefixes.cache)).toEqual({ touched: true, outside: [] });
  });
});
