// Rate-limit counters in Redis, shared by every instance: one round trip per hit, a script that
// counts and opens the window atomically (INCR, then PEXPIRE on the first hit) and answers the
// count with the window's time left. A key found without an expiry (a write lost between the two
// commands elsewhere) is given one, so a counter can never stick forever.
import type { Redis } from 'ioredis';
import type { RateLimitCallback, RateLimitStore } from './rate-limit-store.js';

const command = 'azimuthRateLimitHit';

const script = `
local count = redis.call('INCR', KEYS[1])
local ttl = -1
if count > 1 then ttl = redis.call('PTTL', KEYS[1]) end
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}
`;

type HitCommand = (
  key: string,
  windowMs: number,
  callback: (error: Error | null | undefined, result?: [number, number]) => void,
) => void;

export function createRedisRateLimitStore(options: { redis: Redis; keyPrefix: string }): RateLimitStore {
  const { redis, keyPrefix } = options;
  // ioredis sends EVALSHA, and the script itself once when the server does not know it yet.
  if (!(command in redis)) redis.defineCommand(command, { numberOfKeys: 1, lua: script });
  const hitCommand = (redis as unknown as Record<typeof command, HitCommand>)[command].bind(redis);
  return {
    hit(key: string, windowMs: number, callback: RateLimitCallback) {
      hitCommand(keyPrefix + key, windowMs, (error, result) => {
        if (error || result === undefined) callback(error ?? new Error('no rate-limit count'), 0, 0);
        else callback(null, result[0], result[1]);
      });
    },
  };
}
