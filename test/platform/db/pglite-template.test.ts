// A new embedded data directory starts as a copy of the build's initialised, migrated template, and
// only when the template is complete, made by the installed PGlite, applied no migration this code
// lacks, and the directory holds no database.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';
import {
  isUsableTemplate,
  makePgliteTemplate,
  pgliteVersion,
  seedFromTemplate,
} from '../../../src/platform/db/pglite-template.js';

describe('PGlite template', () => {
  let root: string;
  let template: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'azimuth-template-'));
    template = join(root, 'template');
    await makePgliteTemplate(template, platformMigrations);
  }, 180_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('when made by the build step, then it is stamped with the PGlite version and its migrations', async () => {
    expect(await isUsableTemplate(template, { migrations: platformMigrations })).toBe(true);
    expect(await isUsableTemplate(template, { migrations: platformMigrations, version: '0.0.0-x' })).toBe(
      false,
    );
    // Code that does not know a migration the template applied (an older checkout) does not use it,
    // nor code whose migration of the same name was edited since the build.
    expect(await isUsableTemplate(template, { migrations: {} })).toBe(false);
    const edited = Object.fromEntries(
      Object.entries(platformMigrations).map(([name, m]) => [
        name,
        { up: async () => m.up(await Promise.resolve(undefined as never)) },
      ]),
    );
    expect(await isUsableTemplate(template, { migrations: edited })).toBe(false);
  });

  it('when a new data directory opens, then it starts from the template and takes writes', async () => {
    const dataDir = join(root, 'fresh');
    const database = await createPgliteDatabase({
      dataDir,
      templateDir: template,
      migrations: platformMigrations,
    });
    try {
      expect(await migrateUp({ db: database.db, migrations: platformMigrations })).toEqual([]);
      await sql`create table notes (body text)`.execute(database.db);
      await sql`insert into notes values ('kept')`.execute(database.db);
    } finally {
      await database.close();
    }
    // The stamp stays with the template; the copy is a plain data directory.
    expect(await readdir(join(dataDir, 'pglite'))).not.toContain('azimuth-template.json');
    const reopened = await createPgliteDatabase({
      dataDir,
      templateDir: template,
      migrations: platformMigrations,
    });
    try {
      const { rows } = await sql<{ body: string }>`select body from notes`.execute(reopened.db);
      expect(rows).toEqual([{ body: 'kept' }]);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('when the directory already holds a database, then it is left alone', async () => {
    const dataDir = join(root, 'existing');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'PG_VERSION'), '17\n');
    await writeFile(join(dataDir, 'marker'), 'mine');
    expect(await seedFromTemplate(dataDir, template, platformMigrations)).toBe(false);
    expect((await readdir(dataDir)).sort()).toEqual(['PG_VERSION', 'marker']);
  });

  it('when the directory holds other files but no database, then it is not overwritten', async () => {
    const dataDir = join(root, 'not-empty');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'stray'), 'x');
    await expect(seedFromTemplate(dataDir, template, platformMigrations)).rejects.toThrow();
    expect(await readdir(dataDir)).toEqual(['stray']);
  });

  it('when the template is incomplete or from another version, then nothing is copied', async () => {
    const broken = join(root, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'PG_VERSION'), '17\n'); // no stamp: an interrupted build
    expect(await seedFromTemplate(join(root, 'a'), broken)).toBe(false);
    await writeFile(
      join(broken, 'azimuth-template.json'),
      JSON.stringify({ pglite: `${pgliteVersion()}-x` }),
    );
    expect(await seedFromTemplate(join(root, 'b'), broken)).toBe(false);
    expect(await readdir(root)).not.toContain('a');
    expect(await readdir(root)).not.toContain('b');
  });
});
