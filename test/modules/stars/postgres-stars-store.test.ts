// The StarsStore contract on real PostgreSQL, in a schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { PostgresStarsStore, type StarsTables } from '../../../src/modules/stars/postgres-stars-store.js';
import { starsMigrations } from '../../../src/modules/stars/stars-migrations.js';
import { available, services } from '../../helpers/services.js';
import { describeStarsStoreContract } from './stars-store-contract.js';

const schema = `stars_test_${randomBytes(4).toString('hex')}`;

describe.runIf(await available('postgres'))('PostgresStarsStore on PostgreSQL', () => {
  let admin: pg.Client;
  let db: Kysely<StarsTables>;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: services.postgres.url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    // search_path puts every unqualified name, the migration tables included, in the schema.
    const pool = new pg.Pool({
      connectionString: services.postgres.url,
      max: 10,
      options: `-c search_path=${schema}`,
    });
    db = new Kysely<StarsTables>({ dialect: new PostgresDialect({ pool }) });
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(starsMigrations) },
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw new Error('stars migrations failed', { cause: error });
  });

  afterAll(async () => {
    await db.destroy();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  describeStarsStoreContract('postgres', async (clock) => {
    await sql`truncate star_likes, stars, star_users`.execute(db);
    return new PostgresStarsStore({ db, driver: 'postgres', clock });
  });
});
