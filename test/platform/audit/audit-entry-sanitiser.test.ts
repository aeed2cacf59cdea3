// A refused request's fields are whatever the client sent: a NUL in a blob name made PostgreSQL
// refuse the row, so the record of the refusal was lost. Every record is written, sanitised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_FIELD_MAX_CHARS,
  sanitiseAuditText,
} from '../../../src/platform/audit/audit-entry-sanitiser.js';
import type { AuditEntry } from '../../../src/platform/audit/audit-log.js';
import { KyselyAuditLog } from '../../../src/platform/audit/kysely-audit-log.js';
import type { Database } from '../../../src/platform/db/database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import { createTestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const hostile: AuditEntry = {
  actor: 'mallory\u0000',
  clientIp: '10.0.0.1',
  operation: 'blob.upload',
  target: 'blob://files/a\u0000b.txt',
  outcome: 'denied',
  bytes: null,
  correlationId: 'corr\u0000',
  detail: `lone \uD800 surrogate, bell \u0007, ${'x'.repeat(AUDIT_FIELD_MAX_CHARS)}`,
  at: new Date('2026-12-08T00:00:00Z'),
};

describe('sanitiseAuditText', () => {
  it('shows control characters as escapes, replaces lone surrogates, bounds the length, keeps the rest', () => {
    expect(sanitiseAuditText('a\u0000b')).toBe('a\\u0000b');
    expect(sanitiseAuditText('tab\tand\nnewline')).toBe('tab\tand\nnewline');
    expect(sanitiseAuditText('\uD83D\uDE00 \uDE00')).toBe('\uD83D\uDE00 \uFFFD');
    expect(sanitiseAuditText('y'.repeat(AUDIT_FIELD_MAX_CHARS + 5))).toBe(
      `${'y'.repeat(AUDIT_FIELD_MAX_CHARS)}… (5 more characters)`,
    );
  });
});

const drivers: [string, () => Promise<{ database: Database; cleanup: () => Promise<void> }>][] = [
  [
    'pglite',
    async () => {
      const database = await createPgliteDatabase({ dataDir: ':memory:' });
      return { database, cleanup: () => database.close() };
    },
  ],
];
if (await available('postgres'))
  drivers.push([
    'postgres',
    async () => {
      const target = await createTestPostgres('auditnul');
      const database = await createPostgresDatabase(
        {
          url: target.url,
          poolSize: 2,
          idleTimeoutMs: 10_000,
          maxLifetimeSeconds: 600,
          statementTimeoutMs: 10_000,
        },
        { logger: silentLogger() },
      );
      return {
        database,
        async cleanup() {
          await database.close();
          await target.drop();
        },
      };
    },
  ]);

describe.each(drivers)('an audit record with a NUL on %s', (_driver, setup) => {
  let database: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ database, cleanup } = await setup());
    await migrateUp({ db: database.db, migrations: platformMigrations });
  });
  afterAll(() => cleanup());

  it('when recorded alone or in a batch, then it is written with its fields made visible', async () => {
    const log = new KyselyAuditLog({ db: database.db });
    await log.record(hostile);
    await log.recordMany([hostile, { ...hostile, target: 'blob://files/plain.txt' }]);
    const rows = await database.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      actor: 'mallory\\u0000',
      target: 'blob://files/a\\u0000b.txt',
      correlation_id: 'corr\\u0000',
      outcome: 'denied',
    });
    expect(rows[0]?.detail).toContain('lone \uFFFD surrogate, bell \\u0007');
    expect(rows[2]?.target).toBe('blob://files/plain.txt');
  });
});
