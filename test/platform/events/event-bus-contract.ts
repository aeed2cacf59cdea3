// Contract for the EventBus port: ordered delivery, replay after an id, clean unsubscribe, cheap
// fan-out, and (for drivers shared between processes) delivery across instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent, ManagedEventBus } from '../../../src/platform/events/event-bus.js';
import { compareEventIds } from '../../../src/platform/events/event-id.js';

export const contractReplaySize = 5;

export interface EventBusFixture {
  /** A bus with replaySize = contractReplaySize. */
  make(): Promise<ManagedEventBus>;
  /** Another instance on the same backend (another process), when the driver has one. */
  makePeer?: () => Promise<ManagedEventBus>;
  /** How many pub/sub connections listen to a channel on the backend, when it has one. */
  listeners?: (channel: string) => Promise<number>;
  cleanup(): Promise<void>;
}

/** Collects events and lets a test wait for a count without sleeping. */
export function collector<T = unknown>(): {
  events: BusEvent<T>[];
  onEvent: (event: BusEvent<T>) => void;
  waitFor: (count: number) => Promise<void>;
} {
  const events: BusEvent<T>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    events,
    onEvent: (event) => {
      events.push(event);
      for (const w of waiters.filter((w) => events.length >= w.count)) w.resolve();
    },
    waitFor: (count) => {
      if (events.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

let channelCounter = 0;
const channel = (name: string) => `${name}-${(channelCounter += 1)}`;

export function describeEventBusContract(driver: string, setup: () => Promise<EventBusFixture>): void {
  describe(`event bus contract (${driver})`, () => {
    let fixture: EventBusFixture;
    let bus: ManagedEventBus;
    beforeAll(async () => {
      fixture = await setup();
      bus = await fixture.make();
    });
    afterAll(async () => {
      await bus.close();
      await fixture.cleanup();
    });

    it('when events are published, then a subscriber gets them in order with increasing ids', async () => {
      const ch = channel('order');
      const got = collector<{ n: number }>();
      const sub = bus.subscribe(ch, { onEvent: got.onEvent });
      await sub.ready;
      const ids: string[] = [];
      for (let n = 0; n < 20; n += 1) ids.push(await bus.publish(ch, { n }));
      await got.waitFor(20);
      expect(got.events.map((e) => e.data.n)).toEqual([...Array(20).keys()]);
      expect(got.events.map((e) => e.id)).toEqual(ids);
      expect(got.events.every((e) => e.channel === ch)).toBe(true);
      for (let i = 1; i < ids.length; i += 1)
        expect(compareEventIds(ids[i] ?? '', ids[i - 1] ?? '')).toBeGreaterThan(0);
      // Usable as an SSE id: no newline, no NUL, no carriage return.
      expect(ids.every((id) => /^[0-9]+-[0-9]+$/.test(id))).toBe(true);
      sub.unsubscribe();
      expect((await bus.check.check(AbortSignal.timeout(2000))).status).toBe('healthy');
    });

    it('when an event is published again with a sequence not above the newest, then it is neither logged nor delivered again', async () => {
      const ch = channel('sequence');
      const got = collector<number>();
      const sub = bus.subscribe<number>(ch, { onEvent: got.onEvent });
      await sub.ready;
      const first = await bus.publish(ch, 1, { sequence: '41' });
      const second = await bus.publish(ch, 2, { sequence: '42' });
      // The relay retrying after a crash, or a second relay: both copies are redeliveries.
      expect(await bus.publish(ch, 1, { sequence: '41' })).toBe(second);
      expect(await bus.publish(ch, 2, { sequence: '42' })).toBe(second);
      await bus.publish(ch, 3, { sequence: '43' });
      await got.waitFor(3);
      expect(got.events.map((e) => e.data)).toEqual([1, 2, 3]);
      // A client resuming from the first event is replayed the log: no copy there either.
      const resumed = collector<number>();
      const again = bus.subscribe<number>(ch, { after: first, onEvent: resumed.onEvent });
      await again.ready;
      expect(resumed.events.map((e) => e.data)).toEqual([2, 3]);
      sub.unsubscribe();
      again.unsubscribe();
    });

    it('when subscribing after an id, then the events after it are replayed, then live ones, none twice', async () => {
      const ch = channel('replay');
      const ids: string[] = [];
      for (let n = 0; n < 4; n += 1) ids.push(await bus.publish(ch, n));
      const got = collector<number>();
      const sub = bus.subscribe<number>(ch, { after: ids[1], onEvent: got.onEvent });
      // Published while the replay is being read: must come once, after the replay.
      const during = bus.publish(ch, 4);
      await sub.ready;
      await during;
      await bus.publish(ch, 5);
      await got.waitFor(4);
      expect(got.events.map((e) => e.data)).toEqual([2, 3, 4, 5]);
      sub.unsubscribe();
    });

    it('when the id is older than the log, then the newest log-full is replayed', async () => {
      const ch = channel('bounded');
      const first = await bus.publish(ch, 0);
      for (let n = 1; n < contractReplaySize + 4; n += 1) await bus.publish(ch, n);
      const last = contractReplaySize + 3;
      const got = collector<number>();
      const sub = bus.subscribe<number>(ch, { after: first, onEvent: got.onEvent });
      await sub.ready;
      const values = got.events.map((e) => e.data);
      // A contiguous run ending with the newest event, at least one log long.
      expect(values.length).toBeGreaterThanOrEqual(contractReplaySize);
      expect(values.at(-1)).toBe(last);
      expect(values).toEqual([...Array(values.length).keys()].map((i) => last - values.length + 1 + i));
      sub.unsubscribe();
    });

    it('when `after` is not an event id, then only live events arrive', async () => {
      const ch = channel('bad-after');
      await bus.publish(ch, 'old');
      const got = collector();
      const sub = bus.subscribe(ch, { after: 'not-an-id\r\n', onEvent: got.onEvent });
      await sub.ready;
      await bus.publish(ch, 'new');
      await got.waitFor(1);
      expect(got.events.map((e) => e.data)).toEqual(['new']);
      sub.unsubscribe();
    });

    it('when a subscriber throws, then the others still get every event', async () => {
      const ch = channel('throwing');
      const good = collector();
      const bad = bus.subscribe(ch, {
        onEvent: () => {
          throw new Error('boom');
        },
      });
      const ok = bus.subscribe(ch, { onEvent: good.onEvent });
      await Promise.all([bad.ready, ok.ready]);
      await bus.publish(ch, 1);
      await bus.publish(ch, 2);
      await good.waitFor(2);
      expect(good.events.map((e) => e.data)).toEqual([1, 2]);
      bad.unsubscribe();
      ok.unsubscribe();
    });

    it('when unsubscribed, then nothing more is delivered and nothing is left behind', async () => {
      const ch = channel('cycles');
      const before = bus.stats();
      const stray = collector();
      for (let i = 0; i < 2000; i += 1) {
        const sub = bus.subscribe(ch, { onEvent: stray.onEvent });
        if (i % 500 === 0) await sub.ready;
        sub.unsubscribe();
        sub.unsubscribe();
      }
      expect(bus.stats()).toEqual(before);
      // A fresh subscriber proves the channel still works, and the stray ones got nothing.
      const got = collector();
      const sub = bus.subscribe(ch, { onEvent: got.onEvent });
      await sub.ready;
      await bus.publish(ch, 'after');
      await got.waitFor(1);
      expect(stray.events).toEqual([]);
      sub.unsubscribe();
      expect(bus.stats()).toEqual(before);
      if (fixture.listeners !== undefined) {
        const listeners = fixture.listeners;
        await expect.poll(() => listeners(ch)).toBe(0);
      }
    });

    it('when 10,000 subscribe to one channel, then each gets the event over one backend listener', async () => {
      const ch = channel('crowd');
      let received = 0;
      const subs = Array.from({ length: 10_000 }, () =>
        bus.subscribe(ch, {
          onEvent: () => {
            received += 1;
          },
        }),
      );
      await Promise.all(subs.map((s) => s.ready));
      expect(bus.stats().subscribers).toBeGreaterThanOrEqual(10_000);
      if (fixture.listeners !== undefined) expect(await fixture.listeners(ch)).toBe(1);
      const last = collector();
      const probe = bus.subscribe(ch, { onEvent: last.onEvent });
      await probe.ready;
      await bus.publish(ch, 'hello');
      await last.waitFor(1);
      expect(received).toBe(10_000);
      for (const s of subs) s.unsubscribe();
      probe.unsubscribe();
      expect(bus.stats().subscribers).toBe(0);
    });

    it('when another instance publishes, then this one receives it, and can replay it', async (ctx) => {
      if (fixture.makePeer === undefined) {
        ctx.skip(); // The memory driver serves one process (embedded mode).
        return;
      }
      const peer = await fixture.makePeer();
      try {
        const ch = channel('cross');
        const got = collector();
        const sub = bus.subscribe(ch, { onEvent: got.onEvent });
        await sub.ready;
        const first = await peer.publish(ch, 'from-peer-1');
        await peer.publish(ch, 'from-peer-2');
        await got.waitFor(2);
        expect(got.events.map((e) => e.data)).toEqual(['from-peer-1', 'from-peer-2']);
        sub.unsubscribe();
        // A client reconnecting to the other instance with Last-Event-ID misses nothing.
        const again = collector();
        const resumed = peer.subscribe(ch, { after: first, onEvent: again.onEvent });
        await resumed.ready;
        expect(again.events.map((e) => e.data)).toEqual(['from-peer-2']);
        resumed.unsubscribe();
      } finally {
        await peer.close();
      }
    });
  });
}
