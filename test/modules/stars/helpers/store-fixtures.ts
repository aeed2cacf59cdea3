// The two StarsStore drivers as fixtures for HTTP tests: embedded PGlite (one database per test
// file, emptied per store) and Azure Table Storage on an in-process Azurite (fresh tables per store).
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { StarsTables } from '../../../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../../../src/modules/stars/stars-migrations.js';
import { createStarsStore } from '../../../../src/modules/stars/stars-store-factory.js';
import type { Clock, StarsStore } from '../../../../src/modules/stars/stars-store.js';
import { startAzurite, type Azurite } from '../../../helpers/azurite.js';

export interface StoreFixture {
  name: string;
  start(): Promise<void>;
  /** An empty store. */
  make(clock?: Clock): Promise<StarsStore>;
  stop(): Promise<void>;
}

export function pgliteFixture(): StoreFixture {
  let db: Kysely<StarsTables> | undefined;
  return {
    name: 'pglite',
    async start() {
      db = new Kysely<StarsTables>({ dialect: new PGliteDialect(new PGlite()) });
      const migrator = new Migrator({
        db,
        provider: { getMigrations: () => Promise.resolve(starsMigrations) },
      });
      const { error } = await migrator.migrateToLatest();
      if (error !== undefined) throw new Error('stars migrations failed', { cause: error });
    },
    async make(clock) {
      if (db === undefined) throw new Error('start() first');
      await sql`truncate star_likes, stars, star_users`.execute(db);
      const store = createStarsStore({
        store: 'postgres',
        db,
        driver: 'pglite',
        ...(clock ? { clock } : {}),
      });
      await store.init();
      return store;
    },
    async stop() {
      await db?.destroy();
    },
  };
}

export function tablesFixture(): StoreFixture {
  let azurite: Azurite | undefined;
  return {
    name: 'tables',
    async start() {
      azurite = await startAzurite({ blob: false, table: true });
    },
    async make(clock) {
      if (azurite === undefined) throw new Error('start() first');
      const store = createStarsStore({
        store: 'tables',
        account: { credential: { kind: 'connection-string', connectionString: azurite.connectionString } },
        tablePrefix: `t${randomBytes(5).toString('hex')}`,
        ...(clock ? { clock } : {}),
      });
      await store.init();
      return store;
    },
    async stop() {
      await azurite?.stop();
    },
  };
}

export const storeFixtures = [pgliteFixture(), tablesFixture()];
