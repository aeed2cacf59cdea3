// The Redis purposes' key prefixes, written out literally: two purposes given one prefix (or one a
// prefix of another) would read and delete each other's keys on Azure Managed Redis's one database.
import { describe, expect, it } from 'vitest';
import { redisKeyPrefixes } from '../../../src/platform/redis/redis-key-prefixes.js';

/** BullMQ adds `:{queue}:` to its prefix; the keys it makes start with this. */
const keyStarts = (prefixes: Record<string, string>) =>
  Object.entries(prefixes).map(
    ([purpose, prefix]) => [purpose, purpose === 'jobs' ? `${prefix}:` : prefix] as const,
  );

describe('Redis key prefixes', () => {
  it('when read, then each purpose has its own literal prefix', () => {
    expect(redisKeyPrefixes).toEqual({
      cache: 'azimuth:cache:',
      events: 'azimuth:events:',
      jobs: 'azimuth-jobs',
      rateLimit: 'azimuth:rate-limit:',
      quota: 'azimuth:quota:',
    });
  });

  it('when compared pairwise, then no two are equal and none is a prefix of another', () => {
    const starts = keyStarts(redisKeyPrefixes);
    for (const [a, prefixA] of starts)
      for (const [b, prefixB] of starts) {
        if (a === b) continue;
        expect(prefixA, `${a} and ${b}`).not.toBe(prefixB);
        expect(prefixB.startsWith(prefixA), `${a}'s prefix starts ${b}'s`).toBe(false);
      }
  });

  it('when a purpose is given another’s prefix, then the pairwise check fails', () => {
    const broken = { ...redisKeyPrefixes, quota: redisKeyPrefixes.rateLimit };
    const starts = keyStarts(broken);
    const clashes = starts.flatMap(([a, pa]) =>
      starts.filter(([b, pb]) => a !== b && pb.startsWith(pa)).map(([b]) => `${a}/${b}`),
    );
    expect(clashes).toEqual(['rateLimit/quota', 'quota/rateLimit']);
  });
});
