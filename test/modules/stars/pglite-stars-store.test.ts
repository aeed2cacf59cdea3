// The StarsStore contract on embedded PGlite (in memory), plus its repair path.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStarsStore } from '../../../src/modules/stars/postgres-stars-store.js';
import type { StarsTables } from '../../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../../src/modules/stars/stars-migrations.js';
import { describeStarsStoreContract } from './stars-store-contract.js';

let db: Kysely<StarsTables>;

beforeAll(async () => {
  db = new Kysely<StarsTables>({ dialect: new PGliteDialect(new PGlite()) });
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(starsMigrations) } });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw new Error('stars migrations failed', { cause: error });
});

afterAll(async () => {
  await db.destroy();
});

describeStarsStoreContract('pglite', async (clock) => {
  await sql`truncate star_likes, stars, star_users`.execute(db);
  return new PostgresStarsStore({ db, driver: 'pglite', clock });
});

describe('PostgresStarsStore on PGlite', () => {
  it('when a counter drifted from its like records, then recompute repairs it', async () => {
    await sql`truncate star_likes, stars, star_users`.execute(db);
    const store = new PostgresStarsStore({ db, driver: 'pglite' });
    const owner = await store.createUser({ name: 'Owner' });
    const fan = await store.createUser({ name: 'Fan' });
    const target = await store.createStar({ userId: owner.id, name: 'Vega', ra: 1, dec: 2 });
    await store.like(target.id, fan.id);
    await db.updateTable('stars').set({ likes: 7 }).where('id', '=', target.id).execute();
    expect(await store.recomputeLikes()).toEqual({ starsChecked: 1, corrected: 1 });
    expect((await store.getStar(target.id))?.likes).toBe(1);
  });

  it('when migrations are rolled back, then the tables are gone', async () => {
    const scratch = new Kysely<StarsTables>({ dialect: new PGliteDialect(new PGlite()) });
    const migrator = new Migrator({
      db: scratch,
      provider: { getMigrations: () => Promise.resolve(starsMigrations) },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await migrator.migrateDown()).error).toBeUndefined();
    const tables = await scratch.introspection.getTables();
    expect(tables.map((t) => t.name).filter((name) => name.startsWith('star'))).toEqual([]);
    await scratch.destroy();
  });
});
