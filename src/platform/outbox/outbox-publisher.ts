// An EventPublisher for changes that have no SQL transaction to join (stars on Table Storage):
// each event is written to the outbox in a transaction of its own right after the change, so it
// survives a crash and a bus outage from then on. What it cannot cover is a crash between the
// change and this insert (a few milliseconds); docs/reliability.md says so.
import type { EventPublisher } from '../events/event-bus.js';
import type { OutboxDb, OutboxWriter } from './outbox.js';

export function outboxPublisher(db: OutboxDb, writer: OutboxWriter): EventPublisher {
  return {
    async publish(channel, data) {
      await db.transaction().execute((tx) => writer.append(tx, [{ channel, data }]));
      writer.committed();
    },
  };
}
