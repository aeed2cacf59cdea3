// The Outbox port: change events written in the same database transaction as the change they
// announce, so an acknowledged change is announced even if the process dies right after; the
// relay (outbox-relay.ts) moves them to the event bus, at least once and in order per channel,
// and the bus drops the redelivered ones by their sequence (event-bus.ts, PublishOptions).
import type { Kysely } from 'kysely';
import type { OutboxTables } from './outbox-table.js';

export interface OutboxMessage {
  channel: string;
  data: unknown;
}

/** A transaction (or the database itself) that can see the `outbox` table. */
export type OutboxDb = Kysely<OutboxTables>;

export interface OutboxWriter {
  /**
   * Appends inside `tx`, the transaction of the change; the events exist exactly when the change
   * commits. Call `committed()` after the commit so the relay publishes at once, not at its next poll.
   */
  append(tx: object, messages: readonly OutboxMessage[]): Promise<void>;
  /** Tells the relay that appended events have committed. */
  committed(): void;
}
