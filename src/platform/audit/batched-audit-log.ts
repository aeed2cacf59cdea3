// Group commit for the audit log: entries recorded within a short window are written as one
// multi-row insert. On embedded PGlite a one-row insert costs ~1.5 ms of CPU on the event loop
// (plus a WAL flush on disk) and a batch of ten ~0.2 ms a row; on PostgreSQL it is one round trip
// instead of one per entry. `record` still resolves only once its row is written, so a record the
// caller saw acknowledged is durable; `close` writes what is waiting (shutdown), and `latest`
// writes it before reading, so a reader sees every record made before it asked.
import type { AuditEntry, AuditLog, AuditLogReader } from './audit-log.js';

/** The log the batches go to: one entry at a time, or many in one write (all or none). */
export interface AuditBatchWriter extends AuditLog, AuditLogReader {
  recordMany(entries: readonly AuditEntry[]): Promise<void>;
}

export interface BatchedAuditLogOptions {
  /** How long the first entry of a batch waits for others (100 ms). */
  delayMs?: number;
  /** A batch this large is written at once (100). */
  maxBatch?: number;
}

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class BatchedAuditLog implements AuditLog, AuditLogReader {
  readonly #target: AuditBatchWriter;
  readonly #delayMs: number;
  readonly #maxBatch: number;
  #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;
  // Batches are written one after another, so rows keep the order they were recorded in.
  #written: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(target: AuditBatchWriter, options: BatchedAuditLogOptions = {}) {
    this.#target = target;
    this.#delayMs = options.delayMs ?? 100;
    this.#maxBatch = options.maxBatch ?? 100;
  }

  record(entry: AuditEntry): Promise<void> {
    // After close nothing would flush a batch: written one by one, as they come.
    if (this.#closed) return this.#target.record(entry);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ entry, resolve, reject });
      if (this.#waiting.length >= this.#maxBatch) void this.flush();
      else this.#timer ??= setTimeout(() => void this.flush(), this.#delayMs);
    });
  }

  /** Writes what is waiting; resolves when every batch taken so far has been written or refused. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
