// Runs migrations from a static record (code runs from src via tsx and from dist, so no file
// provider). Two processes migrating at once are serialized by a PostgreSQL advisory lock held
// for the whole run, so both end with one applied set and neither fails on the other's DDL.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

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

export function createMigrator<DB>(options: MigrationOptions<DB>): Migrator {
  return new Migrator({ db: options.db, provider: new RecordProvider(options.migrations) });
}

/** Applies every pending migration; returns the names applied by this call (empty when up to date). */
export async function migrateUp<DB>(options: MigrationOptions<DB>): Promise<string[]> {
  return options.db.connection().execute(async (connection) => {
    // A long index build must not hit the pool's statement timeout, nor must the wait for the lock.
    await sql`select set_config('statement_timeout', '0', false)`.execute(connection);
    await sql`select pg_advisory_lock(hashtext('azimuth:migrate'))`.execute(connection);
    try {
      const { error, results } = await createMigrator({
        db: connection,
        migrations: options.migrations,
      }).migrateToLatest();
      if (error !== undefined) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName;
        throw new MigrationFailedError(failed, error);
      }
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await sql`select pg_advisory_unlock(hashtext('azimuth:migrate'))`.execute(connection);
      await sql`reset statement_timeout`.execute(connection);
    }
  });
}

export async function migrationStatus<DB>(options: MigrationOptions<DB>): Promise<MigrationStatusEntry[]> {
  const infos = await createMigrator(options).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt ?? null }));
}
