// Decides `auto` for REDIS_DATABASE_MODE: asks the server once whether it has the purposes'
// databases. Azure Managed Redis answers SELECT n with `ERR DB index is out of range` (and a
// clustered server with `ERR SELECT is not allowed in cluster mode`): then every purpose uses 0.
import { Redis } from 'ioredis';
import { ioredisOptions, type RedisOptions } from './redis-options.js';

export type ResolvedDatabaseMode = 'single' | 'per-purpose';

/** True for the server's refusal of SELECT (as opposed to a network failure). */
export function isSelectRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /DB index is out of range|SELECT is not allowed|unknown command .?select|invalid DB index/i.test(
    message,
  );
}

/**
 * The mode the server supports, or undefined when it could not be asked (unreachable). One
 * short-lived connection; never retries, never rejects.
 */
export async function probeDatabaseMode(options: RedisOptions): Promise<ResolvedDatabaseMode | undefined> {
  const highest = Math.max(...Object.values(options.databases));
  if (highest === 0) return 'single';
  const client = new Redis({
    ...ioredisOptions(options, 'cache', 'command'),
    db: 0,
    connectionName: 'azimuth:probe',
    lazyConnect: true,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.select(highest);
    return 'per-purpose';
  } catch (error) {
    return isSelectRefusal(error) ? 'single' : undefined;
  } finally {
    client.disconnect(false);
  }
}

/**
 * `single` and `per-purpose` as set; `auto` by probing. When the server cannot be asked, the
 * purposes keep their databases: a connection whose SELECT is then refused stays on database 0
 * (redis-connections.ts notices and stops asking), so instances still agree on where keys are.
 */
export async function resolveDatabaseMode(options: RedisOptions): Promise<{
  mode: ResolvedDatabaseMode;
  decidedBy: 'setting' | 'server' | 'fallback';
}> {
  const configured = options.databaseMode ?? 'per-purpose';
  if (configured !== 'auto') return { mode: configured, decidedBy: 'setting' };
  const probed = await probeDatabaseMode(options);
  return probed === undefined
    ? { mode: 'per-purpose', decidedBy: 'fallback' }
    : { mode: probed, decidedBy: 'server' };
}
