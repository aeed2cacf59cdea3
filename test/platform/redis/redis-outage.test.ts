// Which Redis failures are outages (503 with Retry-After) and which stay what they were.
import { describe, expect, it } from 'vitest';
import { isRedisOutage, translatingRedisOutages } from '../../../src/platform/redis/redis-outage.js';
import { isDependencyUnavailableError } from '../../../src/platform/resilience/dependency-error.js';

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });

describe('Redis outages', () => {
  it.each([
    ["Stream isn't writeable and enableOfflineQueue options is false"],
    ['Connection is closed.'],
    ['Command timed out'],
    [
      'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
    ],
    ['LOADING Redis is loading the dataset in memory'],
    ["READONLY You can't write against a read only replica."],
  ])('"%s" is an outage', (message) => {
    expect(isRedisOutage(new Error(message))).toBe(true);
  });

  it('a refused or reset connection is an outage', () => {
    expect(isRedisOutage(withCode('ECONNREFUSED'))).toBe(true);
    expect(isRedisOutage(withCode('ECONNRESET'))).toBe(true);
  });

  it.each([['WRONGTYPE Operation against a key holding the wrong kind of value'], ['ERR syntax error']])(
    '"%s" is not an outage',
    (message) => {
      expect(isRedisOutage(new Error(message))).toBe(false);
    },
  );

  it('an outage leaves as DependencyUnavailableError naming redis, anything else unchanged', async () => {
    const outage = await translatingRedisOutages(() =>
      Promise.reject(new Error('Connection is closed.')),
    ).catch((error: unknown) => error);
    expect(isDependencyUnavailableError(outage)).toBe(true);
    expect(outage).toMatchObject({ status: 503, dependency: 'redis', retryAfterSeconds: 5 });
    const bug = new Error('ERR syntax error');
    await expect(translatingRedisOutages(() => Promise.reject(bug))).rejects.toBe(bug);
  });
});
