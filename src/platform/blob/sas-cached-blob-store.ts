// Reuses a SAS link for the same blob, permissions and lifetime until it nears expiry (seed 001:
// 24 h links reused for 23 h), through the Cache port so every instance shares them.
import { createHash } from 'node:crypto';
import type { Cache } from '../cache/cache.js';
import { normalizeSasPermissions } from './blob-names.js';
import type { BlobStore, SasLink } from './blob-store.js';

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
  expiresOn: string;
  permissions: string;
}

export function withSasCache(store: BlobStore, options: SasCacheOptions): BlobStore {
  const now = options.now ?? (() => new Date());
  const prefix = options.keyPrefix ?? 'blob:sas:';
  return {
    ...store,
    // Spreading copies the decorated store's methods; these are plain closures, not prototype methods.
    async sasUrl(ref, sas): Promise<SasLink> {
      const reuseSeconds = sas.expiresInSeconds - options.minRemainingSeconds;
      if (reuseSeconds <= 0) return store.sasUrl(ref, sas);
      const permissions = normalizeSasPermissions(sas.permissions);
      const variant = createHash('sha256')
        .update(
          `${ref.container}\n${ref.name}\n${permissions}\n${sas.expiresInSeconds}\n${sas.contentDisposition ?? ''}`,
        )
        .digest('base64url');
      const key = `${prefix}${variant}`;
      const cached = await options.cache.get<CachedLink>(key);
      if (cached !== undefined) {
        const expiresOn = new Date(cached.expiresOn);
        if (expiresOn.getTime() - now().getTime() > options.minRemainingSeconds * 1000)
          return { url: cached.url, expiresOn, permissions: cached.permissions };
      }
      const link = await store.sasUrl(ref, sas);
      const entry: CachedLink = {
        url: link.url,
        expiresOn: link.expiresOn.toISOString(),
        permissions: link.permissions,
      };
      await options.cache.set(key, entry, reuseSeconds);
      return link;
    },
  };
}
