// The migrator's advisory lock on PostgreSQL: while another connection holds it, migrateUp waits
// (applies nothing); once it is released, migrateUp proceeds and applies everything.
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK_NAME, migrateUp } from '../../../src/platform/db/migrator.js';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import type { Database } from '../../../src/platform/db/database.js';
import { available } from '../../helpers/services.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const pgUp = await available('postgres');
const migrations = {
  '2026_11_26_000_lock_probe': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('lock_probe').addColumn('id', 'integer').execute();
    },
  },
};

describe.runIf(pgUp)('migrator advisory lock (postgres)', () => {
  let target: TestPostgres;
  let database: Database;
  let holder: pg.Client;
  beforeAll(async () => {
    target = await createTestPostgres('migrator_lock');
    database = await createPostgresDatabase(
      {
        url: target.url,
        poolSize: 2,
        idleTimeoutMs: 30_000,
        maxLifetimeSeconds: 1800,
        statementTimeoutMs: 30_000,
      },
      { logger: silentLogger() },
    );
    holder = new pg.Client({ connectionString: target.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder.end();
    await database.close();
    await target.drop();
  });

  const probeTable = async () =>
    (await holder.query<{ t: string | null }>(`select to_regclass('lock_probe')::text as t`)).rows[0]?.t ??
    null;

  it('when another connection holds the lock, then migrateUp waits for it and proceeds after release', async () => {
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK_NAME]);
    let settled = false;
    const running = migrateUp({ db: database.db, migrations }).finally(() => {
      settled = true;
    });
    // The migrator's backend is seen blocked on the advisory lock: waiting is observed, not timed.
    await expect
      .poll(
        async () =>
          (
            await holder.query<{ n: number }>(
              `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
            )
          ).rows[0]?.n,
      )
      .toBe(1);
    expect(settled).toBe(false);
    expect(await probeTable()).toBeNull();

    await holder.query('commit');
    expect(await running).toEqual(['2026_11_26_000_lock_probe']);
    expect(await probeTable()).toBe('lock_probe');
    const applied = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(
      database.db,
    );
    expect(applied.rows[0]?.n).toBe(1);
  });
});
