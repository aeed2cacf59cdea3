// The cache contract on the memory driver, plus expiry and bounds with a fake clock.
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/platform/cache/memory-cache.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { contractPolicy, describeCacheContract } from './cache-contract.js';

describeCacheContract('memory', () =>
  Promise.resolve({
    make: () => Promise.resolve(new MemoryCache(contractPolicy, { logger: silentLogger() })),
    cleanup: () => Promise.resolve(),
  }),
);

describe('memory cache', () => {
  it('when its TTL passes, then the entry is gone; and the popularity window resets', async () => {
    // lru-cache reads a start time of 0 as "no TTL", so the fake clock starts later.
    let now = 1_000_000;
    const cache = new MemoryCache(contractPolicy, { logger: silentLogger(), now: () => now });
    await cache.set('k', 'v', 10);
    now += 9_000;
    expect(await cache.get('k')).toBe('v');
    now += 1_001;
    expect(await cache.get('k')).toBeUndefined();

    for (let i = 0; i < 3; i += 1) await cache.get('hot');
    now += 3600_000;
    await cache.get('hot');
    await cache.set('hot', 'v');
    expect(await cache.ttlOf('hot')).toBe(300);
  });

  it('when more keys are set than it holds, then the least recently used go first', async () => {
    const cache = new MemoryCache({ ...contractPolicy, maxEntries: 3 }, { logger: silentLogger() });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    await cache.get('a');
    await cache.set('d', 4);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('d')).toBe(4);
  });
});
