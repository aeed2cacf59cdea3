// Schema of the recordings module (PostgreSQL and PGlite), as a migration record the platform's
// migrator runs with every module's.
import { sql, type Kysely } from 'kysely';
import { createJobRowTable, createOwnerNewestFirstIndex } from '../../platform/db/job-row-columns.js';
import type { MigrationRecord } from '../../platform/db/migrator.js';

export const recordingsMigrations: MigrationRecord = {
  '2026_11_23_200_recordings': {
    async up(db: Kysely<unknown>): Promise<void> {
      await createJobRowTable(db, 'recordings')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('language', 'text')
        .addColumn('percent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('original_ext', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('compressed_bytes', 'bigint')
        .addColumn('duration_seconds', 'double precision')
        .addColumn('transcript', 'jsonb')
        .addColumn('insights', 'jsonb')
        .addColumn('cost', 'jsonb', (c) => c.notNull())
        .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .execute();
      // A caller's list, newest first.
      await createOwnerNewestFirstIndex(db, 'recordings');
      // The retention sweep.
      await db.schema.createIndex('recordings_created_idx').on('recordings').column('created_at').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('recordings').ifExists().execute();
    },
  },
};
