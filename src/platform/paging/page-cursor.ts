// The one cursor rule for every list (stars, users, files, recordings, scans): a cursor is
// base64url JSON of the sort key the list itself handed out; anything else is a 400, never an
// empty page, so a client with a broken cursor learns so instead of seeing the end of the list.
import { errors } from '../errors/app-error.js';

export const invalidCursor = () => errors.badRequest('The cursor is not valid; start again without one.');

export function encodeCursor(key: object): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key inside `cursor` (undefined when there is none), or a 400 when `isKey` refuses it. */
export function decodeCursor(
  cursor: string | null | undefined,
  isKey: (value: Record<string, unknown>) => boolean,
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject || !isKey(value as Record<string, unknown>)) throw invalidCursor();
  return value as Record<string, unknown>;
}
