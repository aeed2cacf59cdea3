// Redis for benchmarks: the local server's options and whether it is there at all.
import type { RedisOptions } from '../../src/platform/redis/redis-options.js';
import { reachable } from '../../test/helpers/services.js';

const host = '127.0.0.1';

export const benchRedisOptions: RedisOptions = {
  host,
  port: 6379,
  tls: false,
  connectTimeoutMs: 2000,
  databases: { cache: 0, events: 1, jobs: 2, rateLimit: 3 },
};

export const redisReachable = () => reachable(host, benchRedisOptions.port);
