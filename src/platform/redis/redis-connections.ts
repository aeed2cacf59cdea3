// Opens ioredis connections per purpose on one Redis server and closes them all on shutdown.
// Each connection reconnects by itself (capped backoff) and logs its losses without flooding.
import { Redis } from 'ioredis';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import { isSelectRefusal } from './redis-database-mode.js';
import { redisCheck } from './redis-health.js';
import {
  ioredisOptions,
  type RedisConnectionMode,
  type RedisOptions,
  type RedisPurpose,
} from './redis-options.js';

export interface RedisConnections {
  /**
   * A new connection to the purpose's logical database, closed by `close()`. For
   * the rate limiter: `connections.connect('rateLimit')`.
   */
  connect(purpose: RedisPurpose, mode?: RedisConnectionMode): Redis;
  /** The ioredis options `connect` would use, for libraries that open their own (BullMQ). */
  options(purpose: RedisPurpose, mode?: RedisConnectionMode): ReturnType<typeof ioredisOptions>;
  /**
   * Resolves true once every connection opened so far is ready, or false after `timeoutMs`;
   * never rejects. Start-up waits on it so the first requests don't meet connecting clients,
   * without making Redis a reason not to start.
   */
  whenReady(timeoutMs: number): Promise<boolean>;
  /** Where the purposes' keys live: their own databases, or all on database 0 (by key prefix). */
  readonly databaseMode: 'single' | 'per-purpose';
  /** PING on a dedicated connection; `redis` on /health, and a gate of readiness. */
  readonly check: DependencyCheck;
  close(): Promise<void>;
}

export function createRedisConnections(options: RedisOptions, deps: { logger: Logger }): RedisConnections {
  const clients = new Set<Redis>();

  const connect = (purpose: RedisPurpose, mode: RedisConnectionMode = 'command'): Redis => {
    const client = new Redis(ioredisOptions(options, purpose, mode));
    let lastLog = 0;
    client.on('error', (error: Error) => {
      if (isSelectRefusal(error)) {
        // ioredis carries on in database 0, where a one-database server keeps everything (the
        // key prefixes keep purposes apart); stop asking on every reconnect.
        client.options.db = 0;
        deps.logger.info({ purpose, mode }, 'redis refused SELECT; this connection uses database 0');
        return;
      }
      // Every failed reconnect attempt emits; one line per 10 s is enough to see an outage.
      const now = Date.now();
      if (now - lastLog < 10_000) return;
      lastLog = now;
      deps.logger.warn({ err: error, purpose, mode }, 'redis connection error; reconnecting');
    });
    client.on('ready', () => {
      if (lastLog !== 0) deps.logger.info({ purpose, mode }, 'redis connection restored');
      lastLog = 0;
    });
    client.once('end', () => clients.delete(client));
    clients.add(client);
    return client;
  };

  // Opened now, not at the first probe, so the first /health does not meet a connecting client.
  const healthClient = connect('cache');

  const whenReady = async (timeoutMs: number): Promise<boolean> => {
    const pending = [...clients].filter((client) => client.status !== 'ready');
    if (pending.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    // Not events.once: it rejects on an 'error' event, and a connection reports errors while it retries.
    const ready = Promise.all(
      pending.map((client) => new Promise((resolve) => client.once('ready', resolve))),
    ).then(() => true);
    try {
      return await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    connect,
    whenReady,
    options: (purpose, mode = 'command') => ioredisOptions(options, purpose, mode),
    databaseMode: options.databaseMode === 'single' ? 'single' : 'per-purpose',
    check: {
      name: 'redis',
      driver: 'redis',
      required: false,
      // Not required (the cache and limiter fall back when it is down, so /health says degraded),
      // but an instance whose Redis is broken must not take traffic: a staging slot with a broken
      // Redis would otherwise pass its smoke test and be swapped in.
      gatesReadiness: true,
      check: (signal) =>
        redisCheck({
          name: 'redis',
          client: healthClient,
          required: false,
          whenDown: 'unhealthy',
        }).check(signal),
    },
    async close() {
      await Promise.all([...clients].map((client) => closeRedis(client)));
    },
  };
}

/** QUIT when connected so replies in flight arrive; otherwise just drop the socket and stop retrying. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting.
    }
  }
  client.disconnect(false);
}
