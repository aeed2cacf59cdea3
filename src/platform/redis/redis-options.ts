// Where Redis is and how each purpose reaches it: one server; one logical database per purpose
// (seed 004: cache 0, events 1, jobs 2, rate limits 3) where the server has them, or all on
// database 0 (Azure Managed Redis), told apart by key prefix either way. TLS with rediss://.
import type { RedisOptions as IORedisOptions } from 'ioredis';
import type { Settings } from '../config/settings-schema.js';

export type RedisPurpose = 'cache' | 'events' | 'jobs' | 'rateLimit';

/**
 * How a connection is used, which decides what it does while Redis is unreachable:
 * - `command`: request-path commands. The offline queue is off (bounded at zero), so a command
 *   sent while disconnected fails at once instead of holding a request; a reply slower than
 *   `commandTimeoutMs` fails too (a half-open socket cannot hang a request either).
 * - `subscriber`: a pub/sub reader. Subscriptions wait for the connection and are re-sent after a
 *   reconnect (ioredis autoResubscribe).
 * - `bullmq`: what BullMQ requires for workers (`maxRetriesPerRequest: null`); BullMQ retries itself.
 */
/**
 * `per-purpose`: each purpose SELECTs its REDIS_DB_* database. `single`: every purpose on
 * database 0 (Azure Managed Redis has no other). `auto` asks the server once (see
 * redis-database-mode.ts); only `createRedis` resolves it.
 */
export type RedisDatabaseMode = 'auto' | 'single' | 'per-purpose';

export type RedisConnectionMode = 'command' | 'subscriber' | 'bullmq';

export interface RedisOptions {
  /** redis:// or rediss://; takes precedence over host/port/password/tls. */
  url?: string;
  host?: string;
  port: number;
  password?: string;
  tls: boolean;
  connectTimeoutMs: number;
  /** Replies slower than this fail `command` connections; default 2000. */
  commandTimeoutMs?: number;
  /** Longest wait between reconnect attempts; default 1000, so /health is healthy within 2 s of Redis returning. */
  maxReconnectDelayMs?: number;
  databases: Record<RedisPurpose, number>;
  /** Default `per-purpose`; `auto` is treated as `per-purpose` until resolved. */
  databaseMode?: RedisDatabaseMode;
}

/** Redis options from settings, or undefined when neither REDIS_URL nor REDIS_HOST is set (embedded). */
export function redisOptionsFromSettings(settings: Settings): RedisOptions | undefined {
  if (settings.REDIS_URL === undefined && settings.REDIS_HOST === undefined) return undefined;
  return {
    ...(settings.REDIS_URL === undefined ? {} : { url: settings.REDIS_URL }),
    ...(settings.REDIS_HOST === undefined ? {} : { host: settings.REDIS_HOST }),
    port: settings.REDIS_PORT,
    ...(settings.REDIS_PASSWORD === undefined ? {} : { password: settings.REDIS_PASSWORD }),
    tls: settings.REDIS_SSL,
    connectTimeoutMs: settings.REDIS_CONNECT_TIMEOUT_MS,
    databaseMode: settings.REDIS_DATABASE_MODE,
    databases: {
      cache: settings.REDIS_DB_CACHE,
      events: settings.REDIS_DB_EVENTS,
      jobs: settings.REDIS_DB_JOBS,
      rateLimit: settings.REDIS_DB_RATE_LIMIT,
    },
  };
}

/** Capped exponential backoff with jitter, so a fleet does not reconnect in lock-step after a failover. */
export function reconnectDelay(attempt: number, maxDelayMs: number): number {
  const exponential = 50 * 2 ** Math.min(attempt, 10);
  return Math.min(exponential, maxDelayMs) + Math.floor(Math.random() * 100);
}

/** The database a purpose uses: its own, or 0 when the server has only one. */
export function databaseOf(options: RedisOptions, purpose: RedisPurpose): number {
  return options.databaseMode === 'single' ? 0 : options.databases[purpose];
}

/** ioredis options for one connection. The URL's own database number is ignored: the purpose decides. */
export function ioredisOptions(
  options: RedisOptions,
  purpose: RedisPurpose,
  mode: RedisConnectionMode,
): IORedisOptions {
  let host = options.host ?? '127.0.0.1';
  let port = options.port;
  let username: string | undefined;
  let password = options.password;
  let tls = options.tls;
  if (options.url !== undefined) {
    const url = new URL(options.url);
    host = url.hostname;
    port = url.port === '' ? 6379 : Number(url.port);
    username = url.username === '' ? undefined : decodeURIComponent(url.username);
    password = url.password === '' ? options.password : decodeURIComponent(url.password);
    tls = url.protocol === 'rediss:';
  }
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  return {
    host,
    port,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    // Azure Managed Redis (port 10000) presents a certificate for its host name; verify it.
    ...(tls ? { tls: { servername: host } } : {}),
    db: databaseOf(options, purpose),
    connectionName: `azimuth:${purpose}:${mode}`,
    connectTimeout: options.connectTimeoutMs,
    keepAlive: 10_000,
    retryStrategy: (attempt: number) => reconnectDelay(attempt, maxDelay),
    // Azure fails over by turning the primary into a replica: reconnect and resend on READONLY.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(mode === 'command'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: options.commandTimeoutMs ?? 2000,
        }
      : {}),
    // Every API request sends the rate limiter one EVALSHA: sent one by one, each is a write to the
    // socket and a read of its answer, which cost the request more than its JavaScript does. Sent
    // together, those of one turn of the event loop share one write and usually one read.
    ...(purpose === 'rateLimit' && mode === 'command' ? { enableAutoPipelining: true } : {}),
    ...(mode === 'subscriber' ? { enableOfflineQueue: true, maxRetriesPerRequest: null } : {}),
    ...(mode === 'bullmq' ? { enableOfflineQueue: true, maxRetriesPerRequest: null } : {}),
  };
}
