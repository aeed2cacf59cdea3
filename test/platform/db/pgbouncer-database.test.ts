// The database contract through PgBouncer in transaction mode (Azure Flexible Server's built-in
// pooler): no refused startup parameter, no session state across transactions, migrations locked
// inside their transaction.
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import { pgBouncerInstalled, startPgBouncer, type PgBouncer } from '../../helpers/pgbouncer.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeDatabaseContract } from './database-contract.js';

const options = { poolSize: 10, idleTimeoutMs: 30_000, maxLifetimeSeconds: 1800, statementTimeoutMs: 30_000 };
const ready = (await available('postgres')) && pgBouncerInstalled();

describe.runIf(ready)('postgres through pgbouncer (transaction mode)', () => {
  let bouncer: PgBouncer | undefined;
  const target: TestPostgres[] = [];
  afterAll(async () => {
    await bouncer?.close();
    for (const database of target) await database.drop();
  });
  const open = async (label: string) => {
    bouncer ??= await startPgBouncer();
    const database = await createTestPostgres(label);
    target.push(database);
    return bouncer.url(database.url);
  };

  describeDatabaseContract('postgres', async () => {
    const url = await open('bouncer_contract');
    const connect = () => createPostgresDatabase({ ...options, url }, { logger: silentLogger() });
    const database = await connect();
    return { database, openPeer: connect, cleanup: () => database.close() };
  });

  it('when a migration holds its lock, then the lock is gone with its transaction (no server connection keeps it)', async () => {
    const url = await open('bouncer_locks');
    const database = await createPostgresDatabase({ ...options, url }, { logger: silentLogger() });
    try {
      // Several server connections open, so round robin has somewhere else to go.
      await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(database.db)));
      await migrateUp({ db: database.db, migrations: {} });
      const locks = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'advisory'`.execute(database.db);
      expect(locks.rows[0]?.n).toBe(0);
      const timeouts = await Promise.all(
        Array.from({ length: 8 }, () => sql<{ t: string }>`show statement_timeout`.execute(database.db)),
      );
      // No server connection was left with the migration's `statement_timeout = 0`.
      expect(new Set(timeouts.map((r) => r.rows[0]?.t))).not.toContain('0');
    } finally {
      await database.close();
    }
  });
});
