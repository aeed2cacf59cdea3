// Opaque list cursors: base64url of the last item's sort key. Keyset paging on a unique key is
// stable under inserts: every item that exists for the whole walk is seen exactly once.
import { errors } from '../../platform/errors/app-error.js';

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

export function encodeCursor(key: IdKey | PopularKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decode(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Falls through to the same client error as a well-formed but wrong cursor.
  }
  throw errors.badRequest('The cursor is not valid; start again without one.');
}

export function decodeIdCursor(cursor: string | null | undefined): IdKey | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  const { id } = decode(cursor);
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw errors.badRequest('The cursor is not valid; start again without one.');
  }
  return { id };
}

export function decodePopularCursor(cursor: string | null | undefined): PopularKey | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  const { likes, id } = decode(cursor);
  if (typeof id !== 'string' || !UUID.test(id) || typeof likes !== 'number' || !Number.isInteger(likes)) {
    throw errors.badRequest('The cursor is not valid; start again without one.');
  }
  return { likes, id };
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
