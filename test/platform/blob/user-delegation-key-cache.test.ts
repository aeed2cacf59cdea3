// Managed identity signs SAS links with a user delegation key: fetched once, reused, renewed
// before a link would outlive it.
import type { UserDelegationKey } from '@azure/storage-blob';
import { describe, expect, it, vi } from 'vitest';
import { createUserDelegationKeyCache } from '../../../src/platform/blob/user-delegation-key-cache.js';

const hour = 3_600_000;

function fakeFetch() {
  return vi.fn((startsOn: Date, expiresOn: Date): Promise<UserDelegationKey> =>
    Promise.resolve({
      signedObjectId: 'oid',
      signedTenantId: 'tid',
      signedStartsOn: startsOn,
      signedExpiresOn: expiresOn,
      signedService: 'b',
      signedVersion: '2025-01-05',
      value: `key-${expiresOn.toISOString()}`,
    }),
  );
}

describe('user delegation key cache', () => {
  it('when links are signed repeatedly, then one key serves them until a link would outlive it', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const fetch = fakeFetch();
    const cache = createUserDelegationKeyCache({ fetch, now: () => new Date(now), keyLifetimeMs: 48 * hour });
    const first = await cache.get(new Date(now + 24 * hour));
    expect(fetch).toHaveBeenCalledTimes(1);
    const [startsOn, expiresOn] = fetch.mock.calls[0] ?? [];
    expect(startsOn?.getTime()).toBeLessThan(now);
    expect(expiresOn?.getTime()).toBe(now + 48 * hour);

    now += 20 * hour;
    expect(await cache.get(new Date(now + 24 * hour))).toBe(first);
    now += 5 * hour; // a 24 h link now would end after the key (48 h from the start)
    const second = await cache.get(new Date(now + 24 * hour));
    expect(second).not.toBe(first);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('when many links are signed at once, then a single key request is made', async () => {
    const fetch = fakeFetch();
    const cache = createUserDelegationKeyCache({ fetch });
    const until = new Date(Date.now() + hour);
    const keys = await Promise.all(Array.from({ length: 10 }, () => cache.get(until)));
    expect(new Set(keys).size).toBe(1);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('when a fetch fails, then the next call tries again', async () => {
    const fetch = fakeFetch();
    fetch.mockRejectedValueOnce(new Error('AAD unavailable'));
    const cache = createUserDelegationKeyCache({ fetch });
    const until = new Date(Date.now() + hour);
    await expect(cache.get(until)).rejects.toThrow('AAD unavailable');
    await expect(cache.get(until)).resolves.toBeDefined();
  });

  it('when a link would live longer than 7 days, then it is refused', async () => {
    const cache = createUserDelegationKeyCache({ fetch: fakeFetch() });
    await expect(cache.get(new Date(Date.now() + 8 * 24 * hour))).rejects.toThrow('7 days');
  });
});
