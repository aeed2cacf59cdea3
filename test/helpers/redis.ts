// Redis options for tests: the local server, optionally through a proxy, with short reconnect delays.
import { randomBytes } from 'node:crypto';
import type { RedisOptions } from '../../src/platform/redis/redis-options.js';
import { services } from './services.js';

export function testRedisOptions(overrides: Partial<RedisOptions> = {}): RedisOptions {
  return {
    host: services.redis.host,
    port: services.redis.port,
    tls: false,
    connectTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    maxReconnectDelayMs: 200,
    databases: { cache: 0, events: 1, jobs: 2, rateLimit: 3 },
    ...overrides,
  };
}

/** A key prefix no other test file uses. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}
