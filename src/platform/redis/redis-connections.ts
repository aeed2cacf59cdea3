// Opens ioredis connections per purpose on one Redis server and closes them all on shutdown.
// Each connection reconnects by itself (capped backoff) and logs its losses without flooding.
import { Redis } from 'ioredis';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
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
   * @fastify/rate-limit: `connections.connect('rateLimit')`.
   */
  connect(purpose: RedisPurpose, mode?: RedisConnectionMode): Redis;
  /** The ioredis options `connect` would use, for libraries that open their own (BullMQ). */
  options(purpose: RedisPurpose, mode?: RedisConnectionMode): ReturnType<typeof ioredisOptions>;
  /** PING on a dedicated connection; `redis` on /health. */
  readonly check: DependencyCheck;
  close(): Promise<void>;
}

export function createRedisConnections(options: RedisOptions, deps: { logger: Logger }): RedisConnections {
  const clients = new Set<Redis>();
  let healthClient: Redis | undefined;

  const connect = (purpose: RedisPurpose, mode: RedisConnectionMode = 'command'): Redis => {
    const client = new Redis(ioredisOptions(options, purpose, mode));
    let lastLog = 0;
    client.on('error', (error: Error) => {
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

  const lazyHealthClient = (): Redis => {
    healthClient ??= connect('cache');
    return healthClient;
  };

  return {
    connect,
    options: (purpose, mode = 'command') => ioredisOptions(options, purpose, mode),
    check: {
      name: 'redis',
      driver: 'redis',
      required: false,
      check: (signal) =>
        redisCheck({
          name: 'redis',
          client: lazyHealthClient(),
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
