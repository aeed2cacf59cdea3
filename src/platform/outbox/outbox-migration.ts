// Platform migration creating `outbox`: change events written in the transaction of their change,
// read in id order and deleted by the relay once the event bus has them (outbox-relay.ts).
import { sql, type Kysely, type Migration } from 'kysely';

export const outboxMigration: Migration = {
  // Kysely types migrations with Kysely<any>; `unknown` keeps this file free of `any`.
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('outbox')
      .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('outbox').execute();
  },
};
