// Share links of scans (seed 001's share_results): only a SHA-256 of each token is stored, so the
// table alone cannot open a share. Revoking keeps the row, so its link answers 410, not 404.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ScansTables } from './scans-tables.js';

/** 256 random bits, URL-safe. */
export const newShareToken = (): string => randomBytes(32).toString('base64url');
export const hashShareToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface Share {
  id: string;
  scanId: string;
  createdBy: string;
  views: number;
  lastViewedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

const toShare = (row: Selectable<ScansTables['scan_shares']>): Share => ({
  id: row.id,
  scanId: row.scan_id,
  createdBy: row.created_by,
  views: row.views,
  lastViewedAt: row.last_viewed_at === null ? null : new Date(row.last_viewed_at),
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  expiresAt: new Date(row.expires_at),
  createdAt: new Date(row.created_at),
});

export type ScanSharesStore = ReturnType<typeof createScanSharesStore>;

export function createScanSharesStore(options: { db: Kysely<ScansTables>; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  return {
    async insert(share: {
      id: string;
      scanId: string;
      tokenHash: string;
      createdBy: string;
      expiresAt: Date;
    }) {
      const row = await db
        .insertInto('scan_shares')
        .values({
          id: share.id,
          scan_id: share.scanId,
          token_hash: share.tokenHash,
          created_by: share.createdBy,
          expires_at: share.expiresAt,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toShare(row);
    },

    async ofScan(scanId: string): Promise<Share[]> {
      const rows = await db
        .selectFrom('scan_shares')
        .selectAll()
        .where('scan_id', '=', scanId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toShare);
    },

    /** Revokes one share of the scan; false when the scan has no such share. */
    async revoke(scanId: string, shareId: string): Promise<boolean> {
      const result = await db
        .updateTable('scan_shares')
        .set({ revoked_at: sql`coalesce(revoked_at, ${now()})` })
        .where('id', '=', shareId)
        .where('scan_id', '=', scanId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async byToken(token: string): Promise<Share | undefined> {
      const row = await db
        .selectFrom('scan_shares')
        .selectAll()
        .where('token_hash', '=', hashShareToken(token))
        .executeTakeFirst();
      return row === undefined ? undefined : toShare(row);
    },

    async countView(id: string): Promise<void> {
      await db
        .updateTable('scan_shares')
        .set({ views: sql<number>`views + 1`, last_viewed_at: now() })
        .where('id', '=', id)
        .execute();
    },
  };
}
