// The key prefix of every Redis purpose, in one place. Azure Managed Redis has one logical
// database, so purposes sharing database 0 are told apart by these prefixes alone; none is a
// prefix of another, and tests assert that no key lands outside its purpose's prefix.

export const redisKeyPrefixes = {
  cache: 'azimuth:cache:',
  /** Pub/sub channels and the replay streams (pub/sub ignores logical databases anyway). */
  events: 'azimuth:events:',
  /**
   * BullMQ's `prefix`; BullMQ adds `:{queue}:…`. No colon inside it: BullMQ's scripts split
   * keys on colons to find a job's queue.
   */
  jobs: 'azimuth-jobs',
  rateLimit: 'azimuth:rate-limit:',
  /** Per-user upload quotas (on the rate-limit connection). */
  quota: 'azimuth:quota:',
} as const;
