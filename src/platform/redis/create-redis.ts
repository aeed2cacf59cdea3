// The composition root's one line for Redis: connections when REDIS_URL or REDIS_HOST is set, else
// undefined (and every port picks its embedded driver). Resolves REDIS_DATABASE_MODE=auto first.
import type { Settings } from '../config/settings-schema.js';
import type { Logger } from '../telemetry/logger.js';
import { createRedisConnections, type RedisConnections } from './redis-connections.js';
import { resolveDatabaseMode } from './redis-database-mode.js';
import { redisOptionsFromSettings } from './redis-options.js';

export async function createRedis(
  settings: Settings,
  deps: { logger: Logger },
): Promise<RedisConnections | undefined> {
  const options = redisOptionsFromSettings(settings);
  if (options === undefined) return undefined;
  const { mode, decidedBy } = await resolveDatabaseMode(options);
  deps.logger.info(
    { databaseMode: mode, decidedBy },
    mode === 'single'
      ? 'redis purposes share database 0, told apart by key prefix'
      : 'redis purposes use their own databases (REDIS_DB_*)',
  );
  return createRedisConnections({ ...options, databaseMode: mode }, deps);
}
