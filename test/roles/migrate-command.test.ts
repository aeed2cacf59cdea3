import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allMigrations } from '../../src/roles/migrations.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { spawnTs } from '../helpers/processes.js';
import { available } from '../helpers/services.js';

const names = Object.keys(allMigrations).sort();
const postgresUp = await available('postgres');

async function migrate(env: Record<string, string>, ...args: string[]) {
  const run = spawnTs('src/roles/cli.ts', ['migrate', ...args], {
    ENVIRONMENT: 'production',
    AUTH_JWT_SECRET: 'x'.repeat(32),
    LOG_LEVEL: 'warn',
    ...env,
  });
  const { code } = await run.exited;
  return { code, out: run.stdout.join('\n') };
}

async function migratesEverythingOnce(env: Record<string, string>, driver: string) {
  const before = await migrate(env, '--status');
  expect(before.code).toBe(0);
  for (const name of names) expect(before.out).toContain(`pending  ${name}`);

  const up = await migrate(env);
  expect(up.code).toBe(0);
  expect(up.out).toContain(`${names.length} applied (${driver})`);

  const again = await migrate(env);
  expect(again.out).toContain('up to date');
  const after = await migrate(env, '--status');
  expect(after.out).toContain(`${names.length} applied, 0 pending (${driver})`);
}

describe('azimuth migrate', { timeout: 120_000 }, () => {
  it('applies every migration once to the embedded PGlite database', async () => {
    await migratesEverythingOnce({ DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-migrate-')) }, 'pglite');
  });

  describe.runIf(postgresUp)('on PostgreSQL', () => {
    let database: TestPostgres | undefined;
    afterAll(() => database?.drop());

    it('applies every migration once, also when two processes run it at once', async () => {
      database = await createTestPostgres('migrate_cli');
      const env = { DATABASE_URL: database.url };
      const [first, second] = await Promise.all([migrate(env), migrate(env)]);
      expect([first.code, second.code]).toEqual([0, 0]);
      expect(`${first.out}\n${second.out}`).toContain(`${names.length} applied (postgres)`);
      expect((await migrate(env, '--status')).out).toContain(`${names.length} applied, 0 pending (postgres)`);
    });

    it('lists pending migrations on a fresh database', async () => {
      const fresh = await createTestPostgres('migrate_cli_fresh');
      try {
        await migratesEverythingOnce({ DATABASE_URL: fresh.url }, 'postgres');
      } finally {
        await fresh.drop();
      }
    });
  });
});
