// Schema of the scans module (PostgreSQL and PGlite), with seed 001's table and column names:
// scan_history (blob_url), image_jobs and content_snapshot (blob_container, blob_name,
// blob_sas_url), scan_shares.
import { sql, type Kysely } from 'kysely';
import { createJobRowTable, createOwnerNewestFirstIndex } from '../../platform/db/job-row-columns.js';
import type { MigrationRecord } from '../../platform/db/migrator.js';

export const scansMigrations: MigrationRecord = {
  '2026_11_26_300_scans': {
    async up(db: Kysely<unknown>): Promise<void> {
      await createJobRowTable(db, 'scan_history')
        .addColumn('product_name', 'text')
        .addColumn('barcode', 'text')
        .addColumn('typed_ingredients', 'text')
        .addColumn('original_ext', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('blob_url', 'text', (c) => c.notNull())
        .addColumn('perceptual_hash', 'text')
        .addColumn('image', 'jsonb')
        .addColumn('analysis', 'jsonb')
        .addColumn('risk', 'jsonb')
        .execute();
      await createOwnerNewestFirstIndex(db, 'scan_history');

      await db.schema
        .createTable('image_jobs')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scan_history.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('blob_container', 'text', (c) => c.notNull())
        .addColumn('blob_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('stage', 'text')
        .addColumn('error', 'text')
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('finished_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('image_jobs_scan_idx').on('image_jobs').column('scan_id').execute();

      await db.schema
        .createTable('content_snapshot')
        .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scan_history.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('blob_container', 'text', (c) => c.notNull())
        .addColumn('blob_name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('blob_sas_url', 'text')
        .addColumn('sas_expires_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('content_snapshot_pk', ['scan_id', 'kind'])
        .execute();

      await db.schema
        .createTable('scan_shares')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('scan_id', 'uuid', (c) => c.notNull().references('scan_history.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_viewed_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('scan_shares_scan_idx').on('scan_shares').column('scan_id').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ['scan_shares', 'content_snapshot', 'image_jobs', 'scan_history'])
        await db.schema.dropTable(table).ifExists().execute();
    },
  },
};
