// The bounded read-count hint the cache keeps for a set right after a get.
import { describe, expect, it } from 'vitest';
import { RecentReads } from '../../../src/platform/cache/recent-reads.js';

describe('RecentReads', () => {
  it('when a key is read again, then its latest count is the one kept', () => {
    const reads = new RecentReads(4);
    reads.remember('a', 1);
    reads.remember('a', 7);
    expect(reads.get('a')).toBe(7);
    expect(reads.get('b')).toBeUndefined();
  });

  it('when more keys than the capacity are read, then the last capacity keys stay and older ones age out', () => {
    const reads = new RecentReads(4);
    for (let i = 0; i < 10; i++) reads.remember(`k${i}`, i);
    // Generations of 4: k8, k9 in the current one, k4…k7 in the previous, k0…k3 dropped.
    for (let i = 4; i < 10; i++) expect(reads.get(`k${i}`)).toBe(i);
    for (let i = 0; i < 4; i++) expect(reads.get(`k${i}`)).toBeUndefined();
  });

  it('when a key is remembered again in a newer generation, then the newer count wins', () => {
    const reads = new RecentReads(2);
    reads.remember('a', 1);
    reads.remember('b', 1); // rotates: a, b now in the previous generation
    reads.remember('a', 5);
    expect(reads.get('a')).toBe(5);
  });
});
