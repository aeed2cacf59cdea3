// The QuotaStore contract, run against the memory and Redis drivers.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaStore } from '../../../src/platform/quota/quota-store.js';

export interface QuotaFixture {
  /** A store whose clock reads `clock.now`. */
  make(clock: { now: Date }): QuotaStore;
  close?: () => Promise<void>;
}

export function describeQuotaStoreContract(
  driverName: string,
  makeFixture: () => Promise<QuotaFixture>,
): void {
  describe(`QuotaStore contract: ${driverName}`, () => {
    let fixture: QuotaFixture;
    const hour = { windowSeconds: 3600 };
    const key = () => `user-${randomUUID()}`;
    beforeAll(async () => {
      fixture = await makeFixture();
    });
    afterAll(async () => {
      await fixture.close?.();
    });

    it('when amounts are added in one window, then they accumulate and report the window bounds', async () => {
      const clock = { now: new Date('2026-03-01T10:15:00Z') };
      const store = fixture.make(clock);
      const k = key();
      expect((await store.get(k, hour)).used).toBe(0);
      expect((await store.add(k, 40, hour)).used).toBe(40);
      const usage = await store.add(k, 2, hour);
      expect(usage).toEqual({
        used: 42,
        windowStart: new Date('2026-03-01T10:00:00Z'),
        resetAt: new Date('2026-03-01T11:00:00Z'),
      });
      expect((await store.get(k, hour)).used).toBe(42);
    });

    it('when the next window starts, then the count starts again from zero', async () => {
      const clock = { now: new Date('2026-03-01T10:59:59Z') };
      const store = fixture.make(clock);
      const k = key();
      await store.add(k, 100, hour);
      clock.now = new Date('2026-03-01T11:00:00Z');
      expect((await store.get(k, hour)).used).toBe(0);
      expect((await store.add(k, 5, hour)).used).toBe(5);
    });

    it('when a refund names the earlier window, then that window is credited, not the current one', async () => {
      const clock = { now: new Date('2026-03-01T10:30:00Z') };
      const store = fixture.make(clock);
      const k = key();
      const first = await store.add(k, 70, hour);
      await store.add(k, -20, { ...hour, at: first.windowStart });
      expect((await store.get(k, hour)).used).toBe(50);
    });

    it('when keys differ, then counts are separate', async () => {
      const clock = { now: new Date('2026-03-01T10:30:00Z') };
      const store = fixture.make(clock);
      const [a, b] = [key(), key()];
      await store.add(a, 10, hour);
      await store.add(b, 3, hour);
      expect((await store.get(a, hour)).used).toBe(10);
      expect((await store.get(b, hour)).used).toBe(3);
    });

    it('when many adds race, then none is lost', async () => {
      const clock = { now: new Date('2026-03-01T10:30:00Z') };
      const store = fixture.make(clock);
      const k = key();
      await Promise.all(Array.from({ length: 50 }, () => store.add(k, 2, hour)));
      expect((await store.get(k, hour)).used).toBe(100);
    });
  });
}
