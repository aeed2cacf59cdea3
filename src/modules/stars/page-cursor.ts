// Opaque list cursors, by the one rule in platform/paging: base64url of the last item's sort key.
// Keyset paging on a unique key is stable under inserts: every item that exists for the whole walk
// is seen exactly once.
import { decodeCursor, encodeCursor } from '../../platform/paging/page-cursor.js';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  /** 1–100; the store clamps it. */
  limit?: number;
  cursor?: string | null;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

/** Sort key of lists ordered by id: the last id seen. */
export interface IdKey {
  id: string;
}

/** Sort key of the popular list: likes in the window (descending), then id. */
export interface PopularKey {
  likes: number;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isId = (id: unknown) => typeof id === 'string' && UUID.test(id);

export function decodeIdCursor(cursor: string | null | undefined): IdKey | undefined {
  const key = decodeCursor(cursor, (value) => isId(value.id));
  return key && { id: String(key.id) };
}

export function decodePopularCursor(cursor: string | null | undefined): PopularKey | undefined {
  const key = decodeCursor(cursor, (value) => isId(value.id) && Number.isInteger(value.likes));
  return key && { likes: Number(key.likes), id: String(key.id) };
}

/** Cuts a fetched `limit + 1` rows into a page, the extra row only telling that more exist. */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => IdKey | PopularKey): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
