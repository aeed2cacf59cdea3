// The composition root's one line for Redis: connections when REDIS_URL or REDIS_HOST is set, else undefined
// (and every port picks its embedded driver).
import type { Settings } from '../config/settings-schema.js';
import type { Logger } from '../telemetry/logger.js';
import { createRedisConnections, type RedisConnections } from './redis-connections.js';
import { redisOptionsFromSettings } from './redis-options.js';

export function createRedis(settings: Settings, deps: { logger: Logger }): RedisConnections | undefined {
  const options = redisOptionsFromSettings(settings);
  return options === undefined ? undefined : createRedisConnections(options, deps);
}
