// Appends change events to the outbox inside the caller's transaction.
//
// Why a lock per channel: identity values are drawn at insert time but become visible at commit,
// so without it a transaction could commit id 7 before another commits id 6 on the same channel,
// the relay would publish 7 first, and the bus (which drops a sequence not above the newest it
// holds) would then drop 6 as a redelivery. Taking a transaction-level advisory lock on the
// channel before drawing the id makes ids commit in order per channel. The lock is the last
// thing a change takes and is held only until its commit; channels are locked in sorted order so
// two transactions never wait on each other in a cycle. Transaction-level locks are what
// PgBouncer's transaction mode allows (no session state).
import { sql } from 'kysely';
import type { OutboxDb, OutboxMessage, OutboxWriter } from './outbox.js';

export async function appendToOutbox(tx: object, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  // The caller's transaction is typed with its module's tables; it is seen here as one with the
  // outbox, once (Kysely is invariant in its table map, as in job-rows.ts).
  const db = tx as OutboxDb;
  for (const channel of [...new Set(messages.map((m) => m.channel))].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`outbox:${channel}`}, 0))`.execute(db);
  }
  await db
    .insertInto('outbox')
    .values(messages.map((m) => ({ channel: m.channel, data: JSON.stringify(m.data ?? null) })))
    .execute();
}

/** The writer modules get: appends in their transaction, and wakes the relay after the commit. */
export function createOutboxWriter(onCommitted: () => void): OutboxWriter {
  return { append: appendToOutbox, committed: onCommitted };
}
