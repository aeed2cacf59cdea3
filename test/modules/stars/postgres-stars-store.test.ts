// The StarsStore contract on real PostgreSQL, in a throwaway database dropped afterwards.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { PostgresStarsStore } from '../../../src/modules/stars/postgres-stars-store.js';
import type { StarsTables } from '../../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../../src/modules/stars/stars-migrations.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { describeStarsStoreContract } from './stars-store-contract.js';

describe.runIf(await available('postgres'))('PostgresStarsStore on PostgreSQL', () => {
  let database: TestPostgres;
  let db: Kysely<StarsTables>;

  beforeAll(async () => {
    database = await createTestPostgres('stars_store');
    db = new Kysely<StarsTables>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 10 }) }),
    });
    await migrateUp({ db, migrations: starsMigrations });
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  describeStarsStoreContract('postgres', async (clock) => {
    await sql`truncate star_likes, stars, star_users`.execute(db);
    return new PostgresStarsStore({ db, driver: 'postgres', clock });
  });
});
