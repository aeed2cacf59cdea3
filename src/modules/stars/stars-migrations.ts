// Schema of the stars module for PostgreSQL and PGlite, as Kysely migrations the platform's
// migrator runs with every module's record. Names sort by date, then by module number.
import { sql, type Kysely, type Migration } from 'kysely';

export const starsMigrations: Record<string, Migration> = {
  '2026_11_23_100_stars': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('star_users')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('stars')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        // Cascade: deleting a user deletes their stars (user.ts states the rule).
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('star_users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('ra', 'double precision', (c) => c.notNull())
        .addColumn('dec', 'double precision', (c) => c.notNull())
        .addColumn('color', 'text')
        .addColumn('likes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz')
        .addCheckConstraint('stars_ra_range', sql`ra >= 0 and ra < 360`)
        .addCheckConstraint('stars_dec_range', sql`dec >= -90 and dec <= 90`)
        .addCheckConstraint('stars_likes_non_negative', sql`likes >= 0`)
        .execute();
      // Stars of a user, in list order.
      await db.schema.createIndex('stars_user_id_idx').on('stars').columns(['user_id', 'id']).execute();
      // The active list walks ids of flagged stars and filters expiry; expired ones stay few
      // relative to the partial index, and `now` cannot appear in an index predicate.
      await db.schema
        .createIndex('stars_active_id_idx')
        .on('stars')
        .column('id')
        .where(sql.ref('active'), '=', true)
        .execute();

      await db.schema
        .createTable('star_likes')
        .addColumn('star_id', 'uuid', (c) => c.notNull().references('stars.id').onDelete('cascade'))
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('star_users.id').onDelete('cascade'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        // One like per user and star: the key makes a like idempotent.
        .addPrimaryKeyConstraint('star_likes_pkey', ['star_id', 'user_id'])
        .execute();
      // Likes a user gave (user deletion) and likes within a window (popular).
      await db.schema.createIndex('star_likes_user_id_idx').on('star_likes').column('user_id').execute();
      await db.schema
        .createIndex('star_likes_created_at_idx')
        .on('star_likes')
        .columns(['created_at', 'star_id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('star_likes').ifExists().execute();
      await db.schema.dropTable('stars').ifExists().execute();
      await db.schema.dropTable('star_users').ifExists().execute();
    },
  },
};
