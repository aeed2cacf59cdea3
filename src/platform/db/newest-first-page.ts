// Pages of a module's rows newest first, by a keyset cursor (the last item's creation time and id),
// so a page stays correct while rows are added in front of it.
import { sql } from 'kysely';
import { decodeCursor as decodeKey, encodeCursor as encodeKey } from '../paging/page-cursor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string): boolean => UUID.test(id);

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Where the next page starts: before this creation time, or at it with a smaller id. */
export interface PageKey {
  at: Date;
  id: string;
}

/**
 * Rows after `key`, newest first: `(created_at, id) < (at, id)`, a row-value comparison the
 * `(…, created_at desc, id desc)` index serves.
 */
export const after = (key: PageKey) => sql<boolean>`(created_at, id) < (${key.at}, ${key.id})`;

/** The order of a page: newest first, then by id (as the cursor compares). */
export const newestFirst = sql`created_at desc, id desc`;

/** The one cursor rule (platform/paging): the last item's creation time and id. */
export function encodeCursor(item: { createdAt: Date; id: string }): string {
  return encodeKey({ at: item.createdAt.toISOString(), id: item.id });
}

/** The key a cursor names; a client error for anything this service did not hand out. */
export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  const key = decodeKey(
    cursor,
    ({ at, id }) =>
      typeof id === 'string' && isUuid(id) && typeof at === 'string' && !Number.isNaN(Date.parse(at)),
  );
  return key && { at: new Date(String(key.at)), id: String(key.id) };
}

/** A page from up to `limit + 1` rows read newest first (the extra one says there is more). */
export function pageOf<T extends { createdAt: Date; id: string }>(items: T[], limit: number): Page<T> {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return { items: page, nextCursor: items.length > limit && last !== undefined ? encodeCursor(last) : null };
}
