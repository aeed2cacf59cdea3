// Platform migration creating `audit_log`, append-only, read by time and by actor over time.
import { sql, type Kysely, type Migration } from 'kysely';

export const auditLogMigration: Migration = {
  // Kysely types migrations with Kysely<any>; `unknown` keeps this file free of `any`.
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
      .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('actor', 'text')
      .addColumn('client_ip', 'text')
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('bytes', 'bigint')
      .addColumn('correlation_id', 'text')
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_actor_at_idx').on('audit_log').columns(['actor', 'at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('audit_log').execute();
  },
};
