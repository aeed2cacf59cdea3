// `azimuth migrate` against embedded PGlite on disk: status, up, status again, up again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runMigrateCommand } from '../../../src/platform/db/migrate-command.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const dataDir = await mkdtemp(join(tmpdir(), 'azimuth-migrate-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function run(status: boolean): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runMigrateCommand({
    database: { dataDir, poolSize: 1, idleTimeoutMs: 1000, maxLifetimeSeconds: 60, statementTimeoutMs: 1000 },
    migrations: platformMigrations,
    status,
    logger: silentLogger(),
    print: (line) => lines.push(line),
  });
  return { code, lines };
}

it('when run with --status, then up, then --status, then the files under DATA_DIR keep the applied set', async () => {
  expect(await run(true)).toEqual({
    code: 0,
    lines: [
      'pending  2026_11_23_000_audit_log',
      'pending  2026_11_26_400_llm_calls',
      'pending  2026_12_08_000_outbox',
      '0 applied, 3 pending (pglite)',
    ],
  });
  expect(await run(false)).toEqual({
    code: 0,
    lines: [
      'applied  2026_11_23_000_audit_log',
      'applied  2026_11_26_400_llm_calls',
      'applied  2026_12_08_000_outbox',
      '3 applied (pglite)',
    ],
  });
  expect((await run(true)).lines).toEqual([
    'applied  2026_11_23_000_audit_log',
    'applied  2026_11_26_400_llm_calls',
    'applied  2026_12_08_000_outbox',
    '3 applied, 0 pending (pglite)',
  ]);
  expect((await run(false)).lines).toEqual(['up to date']);
  // Each run boots PGlite from disk (WebAssembly), which is slow on a busy machine.
}, 120_000);
