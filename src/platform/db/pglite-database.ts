// Embedded PostgreSQL (PGlite, WebAssembly) for `npm start` with no settings, and in-memory for tests.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from './database.js';
import { databaseCheck } from './database-check.js';
import { seedFromTemplate } from './pglite-template.js';
import type { MigrationRecord } from './migrator.js';
import type { PlatformTables } from './platform-tables.js';

export interface PgliteDatabaseOptions {
  /** `:memory:` for an in-memory database; otherwise files go to `{dataDir}/pglite`. */
  dataDir: string;
  /** Initialised data directory a new database starts from (`npm run build` makes one). */
  templateDir?: string;
  /**
   * The migrations this process knows: a template that applied others is not used. Without
   * them only a template with no migrations applied is.
   */
  migrations?: MigrationRecord;
}

/**
 * One user, one connection, small tables: PostgreSQL's default 128 MB of shared buffers only grows
 * the WebAssembly heap (and the process's RSS, by ~90 MB once touched) without making it faster.
 */
const embeddedSettings = {
  postgresqlconf: ['shared_buffers = 16MB', 'wal_buffers = 1MB', 'temp_buffers = 1MB'],
};

export async function createPgliteDatabase(options: PgliteDatabaseOptions): Promise<Database> {
  let pglite: PGlite;
  if (options.dataDir === ':memory:') {
    pglite = await PGlite.create(embeddedSettings);
  } else {
    const dir = join(options.dataDir, 'pglite');
    await seedFromTemplate(dir, options.templateDir, options.migrations);
    await mkdir(dir, { recursive: true });
    pglite = await PGlite.create(dir, embeddedSettings);
  }
  const db = new Kysely<PlatformTables>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    driver: 'pglite',
    check: databaseCheck({ db, driver: 'pglite' }),
    // Kysely's destroy closes the dialect's driver; PGlite must be closed too to free the WASM heap.
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
