// The database contract on real PostgreSQL (a throwaway database), plus pool recovery after backends die.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, sslFromUrl } from '../../../src/platform/db/postgres-database.js';
import { available, services } from '../../helpers/services.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeDatabaseContract } from './database-contract.js';

const pgUp = await available('postgres');
const options = { poolSize: 10, idleTimeoutMs: 30_000, maxLifetimeSeconds: 1800, statementTimeoutMs: 30_000 };

describe.runIf(pgUp)('postgres', () => {
  describeDatabaseContract('postgres', async () => {
    const target = await createTestPostgres('db_contract');
    const open = () => createPostgresDatabase({ ...options, url: target.url }, { logger: silentLogger() });
    const database = await open();
    return {
      database,
      openPeer: open,
      async cleanup() {
        await database.close();
        await target.drop();
      },
    };
  });

  describe('when the pool’s backends are terminated', () => {
    let target: TestPostgres;
    beforeAll(async () => {
      target = await createTestPostgres('db_fault');
    });
    afterAll(async () => {
      await target.drop();
    });

    it('then the pool drops them and the next queries succeed on new connections', async () => {
      const database = await createPostgresDatabase(
        { ...options, url: target.url, applicationName: 'azimuth-fault-test' },
        { logger: silentLogger() },
      );
      try {
        // Fill the pool with several idle connections.
        await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(database.db)));
        const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
        expect(database.pool.totalCount).toBeGreaterThanOrEqual(2);

        const admin = new pg.Client({ connectionString: services.postgres.url });
        await admin.connect();
        const killed = await admin.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity, pg_terminate_backend(pid)
             where application_name = 'azimuth-fault-test'`,
        );
        await admin.end();
        expect(killed.rows[0]?.n).toBeGreaterThanOrEqual(2);

        // pg-pool removes a client whose idle socket errors; wait for it to notice, not for a clock.
        await vi.waitFor(() => expect(database.pool.totalCount).toBe(0), { timeout: 5000 });
        const after = await Promise.all(
          Array.from({ length: 3 }, () =>
            sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db),
          ),
        );
        expect(after.every((r) => r.rows[0]?.pid !== before.rows[0]?.pid)).toBe(true);
        expect((await database.check.check(AbortSignal.timeout(5000))).status).toBe('healthy');
      } finally {
        await database.close();
      }
    });
  });

  it('when the URL says sslmode=require, then TLS is on with verification and the parameter is removed', () => {
    const { connectionString, ssl } = sslFromUrl(
      'postgres://u:p@x.postgres.database.azure.com:5432/app?sslmode=require',
    );
    expect(ssl).toEqual({ rejectUnauthorized: true });
    expect(connectionString).not.toContain('sslmode');
    expect(sslFromUrl('postgres://u@localhost/app').ssl).toBe(false);
    expect(sslFromUrl('postgres://u@localhost/app?sslmode=disable').ssl).toBe(false);
  });

  it('when the statement timeout passes, then the caller gets an error instead of waiting (no startup parameter)', async () => {
    const target = await createTestPostgres('db_timeout');
    const database = await createPostgresDatabase(
      { ...options, statementTimeoutMs: 100, url: target.url },
      { logger: silentLogger() },
    );
    try {
      await expect(sql`select pg_sleep(2)`.execute(database.db)).rejects.toThrow(/timeout/);
    } finally {
      await database.close();
      await target.drop();
    }
  });
});
