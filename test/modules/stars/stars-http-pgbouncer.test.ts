// The stars HTTP suite on PostgreSQL reached through PgBouncer in transaction mode (Azure Flexible
// Server's built-in pooler), with the production pool and migrator.
import { sql } from 'kysely';
import { describe } from 'vitest';
import type { StarsTables } from '../../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../../src/modules/stars/stars-migrations.js';
import { createStarsStore } from '../../../src/modules/stars/stars-store-factory.js';
import { moduleDb, type Database } from '../../../src/platform/db/database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import { pgBouncerInstalled, startPgBouncer, type PgBouncer } from '../../helpers/pgbouncer.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import type { StoreFixture } from './helpers/store-fixtures.js';
import { describeStarsHttp } from './stars-http-suite.js';

function pgBouncerFixture(): StoreFixture {
  let bouncer: PgBouncer | undefined;
  let target: TestPostgres | undefined;
  let database: Database | undefined;
  const db = () => {
    if (database === undefined) throw new Error('start() first');
    return moduleDb<StarsTables>(database.db);
  };
  return {
    name: 'postgres through pgbouncer',
    async start() {
      bouncer = await startPgBouncer();
      target = await createTestPostgres('stars_bouncer');
      database = await createPostgresDatabase(
        {
          url: bouncer.url(target.url),
          poolSize: 10,
          idleTimeoutMs: 30_000,
          maxLifetimeSeconds: 1800,
          statementTimeoutMs: 30_000,
        },
        { logger: silentLogger() },
      );
      await migrateUp({ db: db(), migrations: starsMigrations });
    },
    async make(clock) {
      await sql`truncate star_likes, stars, star_users`.execute(db());
      const store = createStarsStore({
        store: 'postgres',
        db: db(),
        driver: 'postgres',
        ...(clock ? { clock } : {}),
      });
      await store.init();
      return store;
    },
    async stop() {
      await database?.close();
      await target?.drop();
      await bouncer?.close();
    },
  };
}

describe.runIf((await available('postgres')) && pgBouncerInstalled())('stars over PgBouncer', () => {
  describeStarsHttp(pgBouncerFixture());
});
