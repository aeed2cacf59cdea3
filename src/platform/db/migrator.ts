// Runs migrations from a static record (code runs from src via tsx and from dist, so no file
// provider). The whole run is ONE transaction holding a transaction-level advisory lock
// (pg_advisory_xact_lock), so two processes migrating at once are serialized and neither fails on
// the other's DDL; and because nothing outlives the transaction (no session lock, no session
// SET), it works through PgBouncer in transaction mode as well as on a direct connection.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** The advisory lock every migrator takes (as hashtext of this name) for its whole run. */
export const MIGRATION_LOCK_NAME = 'azimuth:migrate';

/** Migrations by name; names sort in the order they must run (`2026_11_23_000_audit_log`). */
export type MigrationRecord = Readonly<Record<string, Migration>>;

export interface MigrationOptions<DB> {
  db: Kysely<DB>;
  migrations: MigrationRecord;
}

export interface MigrationStatusEntry {
  name: string;
  /** When it was applied, or null when pending. */
  executedAt: Date | null;
}

export class MigrationFailedError extends Error {
  readonly migration: string | undefined;
  constructor(migration: string | undefined, cause: unknown) {
    super(
      `migration ${migration ?? '(setup)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'MigrationFailedError';
    this.migration = migration;
  }
}

class RecordProvider implements MigrationProvider {
  constructor(private readonly migrations: MigrationRecord) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...this.migrations });
  }
}

export function createMigrator<DB>(options: MigrationOptions<DB> & { inTransaction?: boolean }): Migrator {
  return new Migrator({
    db: options.db,
    provider: new RecordProvider(options.migrations),
    // migrateUp opens the transaction itself, around Kysely's table set-up as well.
    ...(options.inTransaction === true ? { disableTransactions: true } : {}),
  });
}

/** Applies every pending migration; returns the names applied by this call (empty when up to date). */
export async function migrateUp<DB>(options: MigrationOptions<DB>): Promise<string[]> {
  return options.db.connection().execute(async (connection) => {
    // Raw BEGIN, not db.transaction(): Kysely's Migrator cannot run on a Transaction object.
    await sql`begin`.execute(connection);
    try {
      // A long index build must not hit a server-side statement timeout, nor the wait for the lock.
      await sql`set local statement_timeout = 0`.execute(connection);
      await sql`select pg_advisory_xact_lock(hashtext(${MIGRATION_LOCK_NAME}))`.execute(connection);
      const { error, results } = await createMigrator({
        db: connection,
        migrations: withSavepoints(options.migrations),
        inTransaction: true,
      }).migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new MigrationFailedError(failed, error);
      }
      await sql`commit`.execute(connection);
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Each migration inside a savepoint, so a failing one leaves the transaction usable: Kysely then
 * records the failure and releases its own lock instead of meeting "current transaction is
 * aborted", which would hide which migration failed. The whole run is rolled back afterwards.
 */
function withSavepoints(migrations: MigrationRecord): MigrationRecord {
  const wrap = (migration: Migration, direction: 'up' | 'down') => async (db: Kysely<unknown>) => {
    await sql`savepoint azimuth_migration`.execute(db);
    try {
      await (direction === 'up' ? migration.up(db) : migration.down?.(db));
      await sql`release savepoint azimuth_migration`.execute(db);
    } catch (error) {
      await sql`rollback to savepoint azimuth_migration`.execute(db);
      throw error;
    }
  };
  return Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => [
      name,
      { up: wrap(migration, 'up'), ...(migration.down ? { down: wrap(migration, 'down') } : {}) },
    ]),
  );
}

export async function migrationStatus<DB>(options: MigrationOptions<DB>): Promise<MigrationStatusEntry[]> {
  const infos = await createMigrator(options).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt ?? null }));
}
