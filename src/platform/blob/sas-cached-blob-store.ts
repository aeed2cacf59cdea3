// Reuses a SAS link for the same blob, permissions and lifetime until it nears expiry (seed 001:
// 24 h links reused for 23 h), through the Cache port so every instance shares them.
import type { Cache } from '../cache/cache.js';
import { normalizeSasPermissions } from './blob-names.js';
import type { BlobRef, BlobStore, SasLink, SasOptions } from './blob-store.js';

export interface SasCacheOptions {
  cache: Cache;
  /**
   * A cached link is handed out only while it has more than this left to live:
   * BLOB_SAS_TTL_SECONDS − BLOB_SAS_CACHE_SECONDS (1 h by default).
   */
  minRemainingSeconds: number;
  now?: () => Date;
  keyPrefix?: string;
}

interface CachedLink {
  url: string;
  /** Epoch milliseconds: no Date formatting or parsing on the way in or out. */
  expiresAt: number;
  permissions: string;
}

/**
 * The key names every input of the link unambiguously, without hashing: permissions (`rcwd`
 * letters), lifetime (digits) and container (`a-z0-9-`) cannot hold the `:` and `/` that end
 * them, and the name's length says where it ends, so the Content-Disposition is what follows.
 */
const keyOf = (prefix: string, ref: BlobRef, permissions: string, sas: SasOptions) =>
  `${prefix}${permissions}:${sas.expiresInSeconds}:${ref.container}/${ref.name.length}:${ref.name}:${sas.contentDisposition ?? ''}`;

export function withSasCache(store: BlobStore, options: SasCacheOptions): BlobStore {
  const now = options.now ?? (() => new Date());
  const prefix = options.keyPrefix ?? 'blob:sas2:';
  return {
    ...store,
    // Spreading copies the decorated store's methods; these are plain closures, not prototype methods.
    async sasUrl(ref, sas): Promise<SasLink> {
      const reuseSeconds = sas.expiresInSeconds - options.minRemainingSeconds;
      if (reuseSeconds <= 0) return store.sasUrl(ref, sas);
      const permissions = normalizeSasPermissions(sas.permissions);
      const key = keyOf(prefix, ref, permissions, sas);
      const cached = await options.cache.get<CachedLink>(key);
      if (cached !== undefined && cached.expiresAt - now().getTime() > options.minRemainingSeconds * 1000)
        return { url: cached.url, expiresOn: new Date(cached.expiresAt), permissions: cached.permissions };
      const link = await store.sasUrl(ref, sas);
      const entry: CachedLink = {
        url: link.url,
        expiresAt: link.expiresOn.getTime(),
        permissions: link.permissions,
      };
      // Not awaited: a cache never fails its caller (a failing backend is a no-op), and the link
      // is valid whether or not the entry lands; the memory driver has stored it on return.
      void options.cache.set(key, entry, reuseSeconds);
      return link;
    },
  };
}
