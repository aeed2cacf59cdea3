// PostgreSQL through a `pg` pool sized per seed 004: a fixed pool per process, connections recycled
// when idle or old, a query timeout, TLS when the URL asks for it (Azure Flexible Server).
//
// Works through PgBouncer in transaction mode (Flexible Server's built-in pooler, port 6432): the
// startup packet carries only what PgBouncer accepts (user, database, application_name), no
// session state outlives a transaction, and statements are unnamed (no server-side prepared
// statements). That is why the timeout is pg's client-side `query_timeout` and not the
// `statement_timeout` startup parameter, which PgBouncer refuses ("unsupported startup
// parameter"); the server-side cap is the Flexible Server parameter `statement_timeout`.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { Database, DatabaseOptions } from './database.js';
import { databaseCheck } from './database-check.js';
import { withOutageTranslation } from './outage-dialect.js';
import type { PlatformTables } from './platform-tables.js';

export type PostgresDatabaseOptions = Omit<DatabaseOptions, 'url' | 'dataDir'> & {
  url: string;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
};

/**
 * Turns a URL's `sslmode` into pg's `ssl` option. pg treats `require` as certificate verification
 * in some versions and not others; we decide here, once: `require`, `verify-ca` and `verify-full`
 * verify the server certificate against Node's CA bundle (Azure's chains to a public root);
 * `no-verify` encrypts without verifying; anything else is plain TCP.
 */
export function sslFromUrl(url: string): { connectionString: string; ssl: pg.ConnectionConfig['ssl'] } {
  const parsed = new URL(url);
  const mode =
    parsed.searchParams.get('sslmode') ?? (parsed.searchParams.get('ssl') === 'true' ? 'require' : '');
  for (const key of ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat']) {
    parsed.searchParams.delete(key);
  }
  const connectionString = parsed.toString();
  if (mode === 'require' || mode === 'verify-ca' || mode === 'verify-full') {
    return { connectionString, ssl: { rejectUnauthorized: true } };
  }
  if (mode === 'no-verify') return { connectionString, ssl: { rejectUnauthorized: false } };
  return { connectionString, ssl: false };
}

export interface PostgresDatabase extends Database {
  /** The pool itself, for figures and fault tests. */
  readonly pool: pg.Pool;
}

export function createPostgresDatabase(
  options: PostgresDatabaseOptions,
  deps: { logger: Logger; metrics?: Registry },
): Promise<PostgresDatabase> {
  const { connectionString, ssl } = sslFromUrl(options.url);
  const pool = new pg.Pool({
    connectionString,
    ssl,
    max: options.poolSize,
    idleTimeoutMillis: options.idleTimeoutMs,
    maxLifetimeSeconds: options.maxLifetimeSeconds,
    // Not `statement_timeout`: pg sends that as a startup parameter, which PgBouncer refuses.
    query_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'azimuth',
  });
  // A backend that dies while its client sits idle in the pool (failover, pg_terminate_backend)
  // emits here; pg-pool has already dropped that client, so logging is all there is to do.
  pool.on('error', (error) => {
    deps.logger.warn({ err: error }, 'idle PostgreSQL connection lost; the pool will open a new one');
  });
  // A client checked out of the pool (between a transaction's statements, say) has no listener
  // of pg-pool's; its connection dropping would be an unhandled 'error' that ends the process.
  // The statement in flight fails on its own, and pg-pool discards the client on release.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      deps.logger.warn({ err: error }, 'PostgreSQL connection lost while in use');
    });
  });
  if (deps.metrics) poolGauge(deps.metrics, pool);
  const db = new Kysely<PlatformTables>({ dialect: withOutageTranslation(new PostgresDialect({ pool })) });
  return Promise.resolve({
    db,
    pool,
    driver: 'postgres',
    check: databaseCheck({
      db,
      driver: 'postgres',
      details: () => ({
        poolTotal: pool.totalCount,
        poolIdle: pool.idleCount,
        poolWaiting: pool.waitingCount,
        poolMax: options.poolSize,
      }),
    }),
    close: () => db.destroy(),
  });
}

/** Pool use on /metrics (and Application Insights): connections open, idle, and callers waiting. */
function poolGauge(registry: Registry, pool: pg.Pool): void {
  if (registry.getSingleMetric('azimuth_db_pool_connections') !== undefined) return;
  new Gauge({
    name: 'azimuth_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting callers)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}
