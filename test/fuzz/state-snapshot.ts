// What the API holds, in a form two snapshots can be compared by: each table's row count and
// content hash, every file under the data directory (blobs and temp files) with size and mtime,
// and how many events were published and jobs enqueued. A refused request must change none of it.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { ManagedEventBus } from '../../src/platform/events/event-bus.js';
import type { ManagedJobQueue } from '../../src/platform/jobs/job-queue.js';

export interface Counters {
  published: number;
  enqueued: number;
}

/** Refusals are audited by design (issue 13), so the audit trail may grow on a 4xx. */
const mayChangeOnRefusal = new Set(['audit_log']);

/** `target` with `method` counted; everything else passes through, bound to the target. */
function counting<T extends object>(target: T, method: keyof T & string, count: () => void): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(object);
      if (property !== method) return bound;
      return (...args: unknown[]) => {
        count();
        return bound(...args);
      };
    },
  });
}

export const countingEventBus = (bus: ManagedEventBus, counters: Counters) =>
  counting(bus, 'publish', () => counters.published++);

export const countingJobQueue = (queue: ManagedJobQueue, counters: Counters) =>
  counting(queue, 'enqueue', () => counters.enqueued++);

export interface StateSnapshot {
  /** Rows written per database, counted by triggers. */
  writes: number[];
  files: Record<string, string>;
  counters: Counters;
}

/**
 * Counts every row inserted, updated or deleted in the public tables of `db`, by a trigger on each
 * (added here, for the test), so a snapshot is one query however many rows the run has made.
 */
async function countWrites(db: Kysely<unknown>): Promise<() => Promise<number>> {
  await sql`create schema if not exists fuzz`.execute(db);
  await sql`create table if not exists fuzz.writes (n bigint not null)`.execute(db);
  await sql`insert into fuzz.writes select 0 where not exists (select 1 from fuzz.writes)`.execute(db);
  await sql`create or replace function fuzz.count_write() returns trigger language plpgsql as $$
    begin update fuzz.writes set n = n + 1; return null; end $$`.execute(db);
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
  for (const { name } of rows.filter((row) => !mayChangeOnRefusal.has(row.name))) {
    await sql`create or replace trigger fuzz_count_write after insert or update or delete on ${sql.table(name)}
      for each row execute function fuzz.count_write()`.execute(db);
  }
  return async () => {
    const result = await sql<{ n: string }>`select n::text as n from fuzz.writes`.execute(db);
    return Number(result.rows[0]?.n);
  };
}

async function filesUnder(dir: string, into: Record<string, string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await filesUnder(path, into);
    else {
      const info = await stat(path).catch(() => undefined);
      if (info) into[path] = `${info.size}@${info.mtimeMs}`;
    }
  }
}

/** Takes snapshots of `databases` (every public table), `dataDir` and the counters. */
export async function stateSnapshotter(options: {
  databases: Kysely<unknown>[];
  dataDir: string;
  counters: Counters;
}): Promise<() => Promise<StateSnapshot>> {
  const writes = await Promise.all(options.databases.map(countWrites));
  return async () => {
    const files: Record<string, string> = {};
    await filesUnder(options.dataDir, files);
    return {
      writes: await Promise.all(writes.map((count) => count())),
      files,
      counters: { ...options.counters },
    };
  };
}
