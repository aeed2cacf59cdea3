// What the API holds, in a form two snapshots can be compared by: rows written per database,
// the blobs stored (each name at its last committed version), every other file under the data
// directory (temp files above all) with size and mtime, and how many events were published and
// jobs enqueued. A refused request must change none of it.
//
// Blobs are followed through the BlobStore rather than by walking the disk: the blob tree grows
// with every accepted upload, and walking it on every refusal made the snapshot most of a case's
// cost. Files outside the blob containers (the temp folder, anything else) are still walked.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { BlobRef, BlobStore } from '../../src/platform/blob/blob-store.js';
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

/**
 * The blobs stored, as `count` and an order-free digest of every `name@version`: a blob stored and
 * then removed within one request leaves both as they were; one overwritten changes the digest.
 */
export class BlobLedger {
  private readonly versions = new Map<string, number>();
  private next = 0;
  count = 0;
  digest = 0n;
  /** Committed writes counted so far (a check that the ledger sees the stores the routes use). */
  writes = 0;

  stored(ref: BlobRef): void {
    const key = `${ref.container}/${ref.name}`;
    this.removed(ref);
    this.versions.set(key, ++this.next);
    this.count++;
    this.digest ^= entryHash(key, this.next);
    this.writes++;
  }

  removed(ref: BlobRef): void {
    const key = `${ref.container}/${ref.name}`;
    const version = this.versions.get(key);
    if (version === undefined) return;
    this.versions.delete(key);
    this.count--;
    this.digest ^= entryHash(key, version);
  }

  state(): { count: number; digest: string } {
    return { count: this.count, digest: this.digest.toString(16) };
  }
}

const entryHash = (key: string, version: number) =>
  createHash('sha1').update(`${key}@${version}`).digest().readBigUInt64BE(0);

/**
 * Records `store`'s committed uploads and deletes in `ledger`. The methods are replaced on the
 * object itself, not behind a proxy, because the routes were given this very object at build time.
 */
export function followBlobWrites(store: BlobStore, ledger: BlobLedger): void {
  const upload = store.upload.bind(store);
  const remove = store.delete.bind(store);
  store.upload = async (ref, body, options) => {
    const properties = await upload(ref, body, options);
    ledger.stored(ref);
    return properties;
  };
  store.delete = async (ref, options) => {
    const existed = await remove(ref, options);
    ledger.removed(ref);
    return existed;
  };
}

export interface StateSnapshot {
  /** Rows written per database, counted by triggers. */
  writes: number[];
  blobs: { count: number; digest: string };
  /** Files outside the blob containers (temp files above all). */
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

/** Every file under `dir`, except in the blob containers (`blobRoot`'s folders not starting with a dot). */
async function filesUnder(dir: string, blobRoot: string, into: Record<string, string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir !== blobRoot || entry.name.startsWith('.')) await filesUnder(path, blobRoot, into);
    } else {
      const info = await stat(path).catch(() => undefined);
      if (info) into[path] = `${info.size}@${info.mtimeMs}`;
    }
  }
}

/** Takes snapshots of `databases` (every public table), the blobs, `dataDir` and the counters. */
export async function stateSnapshotter(options: {
  databases: Kysely<unknown>[];
  dataDir: string;
  /** Where the disk blob store keeps its containers (and its `.tmp` folder). */
  blobRoot: string;
  ledger: BlobLedger;
  counters: Counters;
}): Promise<() => Promise<StateSnapshot>> {
  const writes = await Promise.all(options.databases.map(countWrites));
  return async () => {
    const files: Record<string, string> = {};
    await filesUnder(options.dataDir, options.blobRoot, files);
    return {
      writes: await Promise.all(writes.map((count) => count())),
      blobs: options.ledger.state(),
      files,
      counters: { ...options.counters },
    };
  };
}
