// Managed identity cannot sign with an account key; SAS links are signed with a user delegation
// key instead. Fetching one is a round trip, so it is cached and renewed before a link outlives it.
import type { UserDelegationKey } from '@azure/storage-blob';

export interface UserDelegationKeyCacheOptions {
  /** Asks Azure for a key valid over [startsOn, expiresOn] (BlobServiceClient.getUserDelegationKey). */
  fetch: (startsOn: Date, expiresOn: Date) => Promise<UserDelegationKey>;
  now?: () => Date;
  /** How long a fetched key lives; Azure allows up to 7 days from now. */
  keyLifetimeMs?: number;
}

const maxLifetimeMs = 7 * 86_400_000;
/** Tolerates clocks a little behind Azure's. */
const clockSkewMs = 5 * 60_000;

export interface UserDelegationKeyCache {
  /** A key that stays valid at least until `validUntil` (the expiry of the link it will sign). */
  get(validUntil: Date): Promise<UserDelegationKey>;
}

export function createUserDelegationKeyCache(options: UserDelegationKeyCacheOptions): UserDelegationKeyCache {
  const now = options.now ?? (() => new Date());
  const lifetime = Math.min(
    options.keyLifetimeMs ?? maxLifetimeMs - clockSkewMs,
    maxLifetimeMs - clockSkewMs,
  );
  let current: { key: UserDelegationKey; expiresOn: Date } | undefined;
  let pending: Promise<UserDelegationKey> | undefined;

  const renew = (): Promise<UserDelegationKey> => {
    // Single flight: concurrent links wait for the same fetch.
    pending ??= (async () => {
      try {
        const startsOn = new Date(now().getTime() - clockSkewMs);
        const expiresOn = new Date(now().getTime() + lifetime);
        const key = await options.fetch(startsOn, expiresOn);
        current = { key, expiresOn: key.signedExpiresOn };
        return key;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  return {
    async get(validUntil) {
      if (validUntil.getTime() > now().getTime() + lifetime)
        throw new RangeError('A user-delegation SAS cannot outlive its key (at most 7 days).');
      if (current !== undefined && current.expiresOn.getTime() >= validUntil.getTime()) return current.key;
      return renew();
    },
  };
}
