// Contract for the outbox on every database driver: an event exists exactly when its change
// commits, the relay hands events to the bus in order per channel and deletes them, an outage of
// the bus keeps them in the database, and a redelivery (two relays, or a crash between publish and
// delete) reaches a subscriber once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/platform/db/database.js';
import { migrateUp } from '../../../src/platform/db/migrator.js';
import { platformMigrations } from '../../../src/platform/db/platform-migrations.js';
import type { BusEvent, EventBus } from '../../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../../src/platform/events/memory-event-bus.js';
import type { OutboxDb } from '../../../src/platform/outbox/outbox.js';
import { OutboxRelay } from '../../../src/platform/outbox/outbox-relay.js';
import { appendToOutbox } from '../../../src/platform/outbox/outbox-writer.js';
import { silentLogger } from '../../helpers/silent-logger.js';

class BusDown extends Error {}

/** A bus that refuses every publish while `down` is set, as Redis does during an outage. */
function switchableBus(inner: EventBus): EventBus & { down: boolean; attempts: number } {
  return {
    down: false,
    attempts: 0,
    publish(channel, data, options) {
      this.attempts += 1;
      return this.down ? Promise.reject(new BusDown('bus down')) : inner.publish(channel, data, options);
    },
    subscribe: (channel, options) => inner.subscribe(channel, options),
    stats: () => inner.stats(),
  };
}

/** What a subscriber received on each channel, by `data.n`. */
function listen(bus: EventBus, channels: string[]) {
  const seen = new Map<string, number[]>(channels.map((c) => [c, []]));
  const ids: string[] = [];
  const subscriptions = channels.map((channel) =>
    bus.subscribe<{ n: number }>(channel, {
      onEvent: (event: BusEvent<{ n: number }>) => {
        seen.get(channel)?.push(event.data.n);
        ids.push(event.id);
      },
    }),
  );
  return {
    seen,
    ids,
    ready: Promise.all(subscriptions.map((s) => s.ready)),
    close: () => subscriptions.forEach((s) => s.unsubscribe()),
  };
}

export interface OutboxFixture {
  database: Database;
  /** Whether two transactions can be open at once (PostgreSQL; PGlite has one connection). */
  concurrent: boolean;
  cleanup: () => Promise<void>;
}

let counter = 0;
const channelName = (name: string) => `${name}-${(counter += 1)}`;

export function describeOutboxContract(driver: string, setup: () => Promise<OutboxFixture>): void {
  describe(`outbox contract (${driver})`, () => {
    let fixture: OutboxFixture;
    let db: OutboxDb;
    beforeAll(async () => {
      fixture = await setup();
      await migrateUp({ db: fixture.database.db, migrations: platformMigrations });
      db = fixture.database.db as unknown as OutboxDb;
    });
    afterAll(async () => {
      await fixture.cleanup();
    });

    const relayOn = (bus: EventBus) =>
      new OutboxRelay(
        { batchSize: 3 },
        { db, bus, logger: silentLogger(), isTransient: (e) => e instanceof BusDown },
      );
    const append = (channel: string, n: number) =>
      db.transaction().execute((tx) => appendToOutbox(tx, [{ channel, data: { n } }]));
    const pending = async () => (await db.selectFrom('outbox').select('id').execute()).length;

    it('when a change rolls back, then its events are gone with it; committed ones are relayed in order and deleted', async () => {
      const [a, b] = [channelName('a'), channelName('b')];
      const bus = new MemoryEventBus({ replaySize: 100 }, { logger: silentLogger() });
      const client = listen(bus, [a, b]);
      await client.ready;
      await expect(
        db.transaction().execute(async (tx) => {
          await appendToOutbox(tx, [{ channel: a, data: { n: -1 } }]);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      for (let n = 0; n < 7; n += 1) await append(n % 2 === 0 ? a : b, n);

      // Batches of 3: the pass reads until the outbox is empty.
      expect(await relayOn(bus).drain()).toEqual({ published: 7, blocked: 0 });
      expect(client.seen.get(a)).toEqual([0, 2, 4, 6]);
      expect(client.seen.get(b)).toEqual([1, 3, 5]);
      expect(await pending()).toBe(0);
      client.close();
    });

    it('when the bus is down, then events wait in the database and go out once, in order, when it is back', async () => {
      const ch = channelName('outage');
      const bus = switchableBus(new MemoryEventBus({ replaySize: 100 }, { logger: silentLogger() }));
      const client = listen(bus, [ch]);
      await client.ready;
      const relay = relayOn(bus);
      bus.down = true;
      for (let n = 0; n < 5; n += 1) await append(ch, n);
      expect(await relay.drain()).toEqual({ published: 0, blocked: 1 });
      expect(await relay.pending()).toBe(5);
      // A new relay (the process restarted) finds them there.
      bus.down = false;
      expect(await relayOn(bus).drain()).toEqual({ published: 5, blocked: 0 });
      expect(client.seen.get(ch)).toEqual([0, 1, 2, 3, 4]);
      expect(await pending()).toBe(0);
      client.close();
    });

    it('when a crash left published events in the outbox and two relays run, then each event reaches the subscriber once', async () => {
      const ch = channelName('redelivery');
      const bus = new MemoryEventBus({ replaySize: 100 }, { logger: silentLogger() });
      const client = listen(bus, [ch]);
      await client.ready;
      for (let n = 0; n < 6; n += 1) await append(ch, n);
      // The dead process had published the first two but not deleted them.
      const rows = await db
        .selectFrom('outbox')
        .select(['id', 'data'])
        .where('channel', '=', ch)
        .orderBy('id')
        .execute();
      for (const row of rows.slice(0, 2))
        // pg gives int8 as a string, PGlite as a number, whatever the table type says.
        await bus.publish(ch, JSON.parse(row.data), { sequence: `${row.id as string | number}` });

      const [first, second] = [relayOn(bus), relayOn(bus)];
      await Promise.all([first.drain(), second.drain()]);
      expect(client.seen.get(ch)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(new Set(client.ids).size).toBe(6);
      expect(await pending()).toBe(0);
      client.close();
    });

    it('when two changes on one channel commit in the opposite order of their inserts, then events follow the commits', async (context) => {
      if (!fixture.concurrent) context.skip();
      const ch = channelName('commit-order');
      const bus = new MemoryEventBus({ replaySize: 100 }, { logger: silentLogger() });
      const client = listen(bus, [ch]);
      await client.ready;
      let releaseFirst: () => void = () => undefined;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstAppended: () => void = () => undefined;
      const appended = new Promise<void>((resolve) => (firstAppended = resolve));
      const first = db.transaction().execute(async (tx) => {
        await appendToOutbox(tx, [{ channel: ch, data: { n: 1 } }]);
        firstAppended();
        await firstHolds;
      });
      await appended;
      // The second change waits for the first's lock on the channel, so it cannot take a
      // smaller id and commit after a relay has already published a larger one.
      const second = append(ch, 2);
      const waitingForLock = async () =>
        (
          await sql<{ n: number }>`
            select count(*)::int as n from pg_locks
            where locktype = 'advisory' and not granted
              and database = (select oid from pg_database where datname = current_database())`.execute(db)
        ).rows[0]?.n ?? 0;
      await expect.poll(waitingForLock).toBe(1);
      expect(await relayOn(bus).drain()).toEqual({ published: 0, blocked: 0 });
      releaseFirst();
      await Promise.all([first, second]);
      await relayOn(bus).drain();
      expect(client.seen.get(ch)).toEqual([1, 2]);
      client.close();
    });
  });
}
