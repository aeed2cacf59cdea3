// Group commit for the audit log: entries are written as multi-row inserts. On embedded PGlite a
// one-row insert costs ~1.5 ms of event-loop time (more with a busy disk) and a batch of ten
// ~0.2 ms a row; on PostgreSQL it is one round trip instead of one per entry.
// Every record is written at the end of the current event-loop turn, with whatever else was
// recorded in it (no added latency, and nothing waits in memory longer than that turn, so a crash
// can lose only records whose operations were not yet acknowledged: callers acknowledge after
// `record` resolves). `close` writes what waits (shutdown), and `latest` writes it before reading.
import type { AuditEntry, AuditLog, AuditLogReader, AuditRecordOptions } from './audit-log.js';

/** The log the batches go to: one entry at a time, or many in one write (all or none). */
export interface AuditBatchWriter extends AuditLog, AuditLogReader {
  recordMany(entries: readonly AuditEntry[]): Promise<void>;
}

export interface BatchedAuditLogOptions {
  /** A batch this large is written at once (500). */
  maxBatch?: number;
}

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BatchedAuditLog implements AuditLog, AuditLogReader {
  readonly #target: AuditBatchWriter;
  readonly #maxBatch: number;
  #waiting: Waiting[] = [];
  #promptFlush: NodeJS.Immediate | undefined;
  // Batches are written one after another, so rows keep the order they were recorded in.
  #written: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(target: AuditBatchWriter, options: BatchedAuditLogOptions = {}) {
    this.#target = target;
    this.#maxBatch = options.maxBatch ?? 500;
  }

  /** `options` is accepted for the port's sake; no record waits past this event-loop turn. */
  record(entry: AuditEntry, _options?: AuditRecordOptions): Promise<void> {
    // After close nothing would flush a batch: written one by one, as they come.
    if (this.#closed) return this.#target.record(entry);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ entry, resolve, reject });
      if (this.#waiting.length >= this.#maxBatch) void this.flush();
      else this.#promptFlush ??= setImmediate(() => void this.flush());
    });
  }

  /** Writes what is waiting; resolves when every batch taken so far has been written or refused. */
  flush(): Promise<void> {
    clearImmediate(this.#promptFlush);
    this.#promptFlush = undefined;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length > 0) this.#written = this.#written.then(() => this.#write(batch));
    return this.#written;
  }

  async latest(limit: number): Promise<(AuditEntry & { id: string })[]> {
    await this.flush();
    return this.#target.latest(limit);
  }

  /** Writes what is waiting; later records are written one by one. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  /**
   * One insert for the batch; if it is refused, each entry alone, so one bad entry (or a
   * database that failed mid-batch) fails only the records it concerns, as without batching.
   */
  async #write(batch: Waiting[]): Promise<void> {
    try {
      await this.#target.recordMany(batch.map((w) => w.entry));
      for (const waiting of batch) waiting.resolve();
    } catch {
      for (const waiting of batch) {
        await this.#target.record(waiting.entry).then(waiting.resolve, waiting.reject);
      }
    }
  }
}
