// Contract for the database port: every driver must behave the same for queries, migrations and health.
import { sql, type Kysely, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/platform/db/database.js';
import { migrateUp, migrationStatus } from '../../../src/platform/db/migrator.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';

export interface DatabaseFixture {
  database: Database;
  /** A second handle on the same database, as another process would hold. */
  openPeer(): Promise<Database>;
  cleanup(): Promise<void>;
}

interface NotesTable {
  id: string;
  body: string;
}

const noteMigrations: Record<string, Migration> = {
  '2026_11_24_000_notes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '2026_11_24_001_notes_index': {
    async up(db: Kysely<unknown>) {
      // Slow enough that two racing migrators overlap in the real driver.
      await sql`select pg_sleep(0.2)`.execute(db);
      await db.schema.createIndex('notes_body_idx').on('notes').column('body').execute();
    },
  },
};

const allMigrations = { ...platformMigrations, ...noteMigrations };

export function describeDatabaseContract(driver: string, setup: () => Promise<DatabaseFixture>): void {
  describe(`database contract (${driver})`, () => {
    let fixture: DatabaseFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture.cleanup();
    });

    it('when asked, then it names its driver and answers a health check with its latency', async () => {
      expect(fixture.database.driver).toBe(driver);
      expect(fixture.database.check.name).toBe('database');
      const result = await fixture.database.check.check(AbortSignal.timeout(5000));
      expect(result.status).toBe('healthy');
      expect(typeof result.details?.latencyMs).toBe('number');
    });

    it('when nothing is applied, then status lists every migration as pending', async () => {
      const status = await migrationStatus({ db: fixture.database.db, migrations: allMigrations });
      expect(status.map((s) => s.name)).toEqual(Object.keys(allMigrations).sort());
      expect(status.every((s) => s.executedAt === null)).toBe(true);
    });

    it('when two migrators race, then both finish and the set is applied once', async () => {
      const peer = await fixture.openPeer();
      try {
        const [a, b] = await Promise.all([
          migrateUp({ db: fixture.database.db, migrations: allMigrations }),
          migrateUp({ db: peer.db, migrations: allMigrations }),
        ]);
        // One of them applied everything; the other found nothing left to do.
        expect([...a, ...b].sort()).toEqual(Object.keys(allMigrations).sort());
        expect(a.length === 0 || b.length === 0).toBe(true);
      } finally {
        await peer.close();
      }
      const status = await migrationStatus({ db: fixture.database.db, migrations: allMigrations });
      expect(status.every((s) => s.executedAt instanceof Date)).toBe(true);
      const rows = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(
        fixture.database.db,
      );
      expect(rows.rows[0]?.n).toBe(Object.keys(allMigrations).length);
    });

    it('when migrated again, then nothing is applied', async () => {
      expect(await migrateUp({ db: fixture.database.db, migrations: allMigrations })).toEqual([]);
    });

    it('when a module widens the handle, then its tables are typed and usable, in transactions too', async () => {
      const db = fixture.database.db.withTables<{ notes: NotesTable }>();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 'a', body: 'first' }).execute();
        await trx.insertInto('notes').values({ id: 'b', body: 'second' }).execute();
      });
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('notes').values({ id: 'c', body: 'rolled back' }).execute();
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const rows = await db.selectFrom('notes').select(['id', 'body']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'a', body: 'first' },
        { id: 'b', body: 'second' },
      ]);
    });

    it('when a migration fails, then migrateUp throws naming it and later ones stay pending', async () => {
      const broken = {
        ...allMigrations,
        '2026_11_25_000_broken': {
          async up(db: Kysely<unknown>) {
            await sql`select * from no_such_table`.execute(db);
          },
        },
      };
      await expect(migrateUp({ db: fixture.database.db, migrations: broken })).rejects.toThrow(
        /2026_11_25_000_broken/,
      );
      const status = await migrationStatus({ db: fixture.database.db, migrations: broken });
      expect(status.find((s) => s.name === '2026_11_25_000_broken')?.executedAt).toBeNull();
      // The lock was released: a healthy run still works afterwards.
      expect(await migrateUp({ db: fixture.database.db, migrations: allMigrations })).toEqual([]);
    });
  });
}
