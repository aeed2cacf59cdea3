// BatchedAuditLog: entries recorded in one event-loop turn become one write (none waits longer), each record is acknowledged only once
// its row is written, a refused batch fails only the entries the database refuses, and nothing
// waiting is lost on close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../src/platform/audit/audit-log.js';
import { BatchedAuditLog, type AuditBatchWriter } from '../../../src/platform/audit/batched-audit-log.js';

const entry = (target: string): AuditEntry => ({
  actor: 'alice',
  clientIp: null,
  operation: 'blob.upload',
  target,
  outcome: 'success',
  bytes: null,
  correlationId: null,
  detail: null,
  at: new Date('2026-11-26T10:00:00Z'),
});

/** Keeps rows in memory; `refuse` names targets the "database" rejects; `gate` holds every write. */
function memoryWriter(options: { refuse?: string[]; gate?: Promise<void> } = {}) {
  const rows: string[] = [];
  const writes: string[][] = [];
  const check = (e: AuditEntry) => {
    if (options.refuse?.includes(e.target)) throw new Error(`refused ${e.target}`);
  };
  const writer: AuditBatchWriter = {
    async record(e) {
      await options.gate;
      check(e);
      writes.push([e.target]);
      rows.push(e.target);
    },
    async recordMany(entries) {
      await options.gate;
      entries.forEach(check);
      writes.push(entries.map((e) => e.target));
      rows.push(...entries.map((e) => e.target));
    },
    latest: (limit) =>
      Promise.resolve(
        rows
          .map((target, i) => ({ ...entry(target), id: String(i + 1) }))
          .reverse()
          .slice(0, limit),
      ),
  };
  return { writer, rows, writes };
}

describe('BatchedAuditLog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when entries are recorded in one event-loop turn, then they are written as one batch, in order', async () => {
    const { writer, writes } = memoryWriter();
    const log = new BatchedAuditLog(writer);
    await Promise.all(['a', 'b', 'c'].map((t) => log.record(entry(t))));
    expect(writes).toEqual([['a', 'b', 'c']]);
  });

  it('when a record asks to be lazy, then it is still written in the turn it was recorded (a crash cannot lose it after its operation is acknowledged)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { writer, writes } = memoryWriter();
    const log = new BatchedAuditLog(writer);
    // No timer is advanced: a record waiting for one would never resolve here.
    await Promise.all(['a', 'b'].map((t) => log.record(entry(t), { lazy: true })));
    expect(writes).toEqual([['a', 'b']]);
  });

  it('when a record resolves, then its row has been written (not merely queued)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { writer, rows } = memoryWriter({ gate });
    const log = new BatchedAuditLog(writer);
    let acknowledged = false;
    const recorded = log.record(entry('a')).then(() => (acknowledged = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(acknowledged).toBe(false);
    open();
    await recorded;
    expect(rows).toEqual(['a']);
  });

  it('when the batch is full, then it is written at once and the rest rides the next one', async () => {
    const { writer, writes } = memoryWriter();
    const log = new BatchedAuditLog(writer, { maxBatch: 2 });
    await Promise.all(['a', 'b', 'c'].map((t) => log.record(entry(t))));
    expect(writes).toEqual([['a', 'b'], ['c']]);
  });

  it('when the database refuses one entry of a batch, then only that record fails', async () => {
    const { writer, rows } = memoryWriter({ refuse: ['bad'] });
    const log = new BatchedAuditLog(writer);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((t) => log.record(entry(t))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows).toEqual(['a', 'c']);
  });

  it('when the log is closed, then what waits is written, and later records are written one by one', async () => {
    const { writer, rows, writes } = memoryWriter();
    const log = new BatchedAuditLog(writer);
    const waiting = log.record(entry('a'));
    await log.close();
    await waiting;
    expect(rows).toEqual(['a']);
    await log.record(entry('late'));
    expect(writes).toEqual([['a'], ['late']]);
  });

  it('when the latest entries are read, then records still waiting are written first', async () => {
    const { writer } = memoryWriter();
    const log = new BatchedAuditLog(writer);
    void log.record(entry('a'));
    const latest = await log.latest(10);
    expect(latest.map((e) => e.target)).toEqual(['a']);
    await log.close();
  });
});
