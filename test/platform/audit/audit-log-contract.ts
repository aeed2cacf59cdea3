// Contract for KyselyAuditLog: what is recorded reads back exactly, on every database driver.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyAuditLog } from '../../../src/platform/audit/kysely-audit-log.js';
import type { Database } from '../../../src/platform/db/database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';

export function describeAuditLogContract(
  driver: string,
  setup: () => Promise<{ database: Database; cleanup: () => Promise<void> }>,
): void {
  describe(`audit log contract (${driver})`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ database, cleanup } = await setup());
      await migrateUp({ db: database.db, migrations: platformMigrations });
    });
    afterAll(async () => {
      await cleanup();
    });

    it('when entries are recorded, then they read back with every field, in order', async () => {
      const log = new KyselyAuditLog({ db: database.db });
      const at = new Date('2026-11-23T10:00:00.123Z');
      await log.record({
        actor: 'alice',
        clientIp: '10.0.0.1',
        operation: 'blob.upload',
        target: 'blob://c/a.png',
        outcome: 'success',
        bytes: 5_000_000_000,
        correlationId: 'corr-1',
        detail: null,
        at,
      });
      await log.record({
        actor: null,
        clientIp: null,
        operation: 'blob.sas',
        target: 'blob://c/b.png',
        outcome: 'denied',
        bytes: null,
        correlationId: null,
        detail: 'permissions r, expiry 1h',
        at: new Date(at.getTime() + 1000),
      });
      const rows = await database.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      expect(rows).toHaveLength(2);
      const [first, second] = rows;
      expect(first).toMatchObject({
        actor: 'alice',
        client_ip: '10.0.0.1',
        operation: 'blob.upload',
        target: 'blob://c/a.png',
        outcome: 'success',
        correlation_id: 'corr-1',
        detail: null,
      });
      // Beyond 2^32: the column is bigint, read back as a string to keep precision.
      expect(String(first?.bytes)).toBe('5000000000');
      expect(new Date(first?.at ?? 0).toISOString()).toBe(at.toISOString());
      expect(second).toMatchObject({
        actor: null,
        outcome: 'denied',
        bytes: null,
        detail: 'permissions r, expiry 1h',
      });
      expect(BigInt(second?.id ?? 0)).toBeGreaterThan(BigInt(first?.id ?? 0));
    });

    it('when the latest entries are read, then they come newest first, limited, in the port’s shape', async () => {
      const log = new KyselyAuditLog({ db: database.db });
      const at = new Date('2026-11-24T08:00:00.000Z');
      for (const [i, operation] of ['blob.download', 'blob.delete'].entries())
        await log.record({
          actor: 'bob',
          clientIp: null,
          operation,
          target: `blob://c/${operation}`,
          outcome: 'success',
          bytes: i === 0 ? 42 : null,
          correlationId: null,
          detail: null,
          at: new Date(at.getTime() + i * 1000),
        });
      const latest = await log.latest(2);
      expect(latest.map((entry) => entry.operation)).toEqual(['blob.delete', 'blob.download']);
      expect(latest[1]).toMatchObject({ actor: 'bob', target: 'blob://c/blob.download', bytes: 42, at });
      expect(typeof latest[0]?.id).toBe('string');
    });

    it('when entries are recorded as one batch, then they read back in order with every field', async () => {
      const log = new KyselyAuditLog({ db: database.db });
      const at = new Date('2026-11-25T09:00:00.000Z');
      const batch = ['blob.sas', 'blob.upload', 'blob.delete'].map((operation, i) => ({
        actor: i === 1 ? null : 'carol',
        clientIp: '10.0.0.2',
        operation,
        target: `blob://batch/${i}`,
        outcome: 'success' as const,
        bytes: i === 1 ? 7 : null,
        correlationId: `batch-${i}`,
        detail: i === 0 ? 'permissions r' : null,
        at: new Date(at.getTime() + i),
      }));
      await log.recordMany(batch);
      const latest = await log.latest(3);
      expect(latest.map((e) => e.target)).toEqual(['blob://batch/2', 'blob://batch/1', 'blob://batch/0']);
      expect(latest[1]).toMatchObject({ actor: null, bytes: 7, correlationId: 'batch-1' });
      expect(latest[2]).toMatchObject({ detail: 'permissions r', at: batch[0]?.at });
    });

    it('when the table is inspected, then it has indexes on (at) and (actor, at)', async () => {
      const result = await sql<{ indexdef: string }>`
        select indexdef from pg_indexes where tablename = 'audit_log' order by indexname`.execute(
        database.db,
      );
      const defs = result.rows.map((r) => r.indexdef);
      expect(defs.some((d) => /\(at\)/.test(d))).toBe(true);
      expect(defs.some((d) => /\(actor, at\)/.test(d))).toBe(true);
    });
  });
}
