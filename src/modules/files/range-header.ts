// Parses a single HTTP byte range (RFC 9110 §14.1.2). Multiple ranges are not served: the
// caller answers 200 with the whole body, which the RFC allows.
import { errors } from '../../platform/errors/app-error.js';
import type { ByteRange } from '../../platform/blob/blob-store.js';

export type ParsedRange =
  { kind: 'none' } | { kind: 'range'; range: ByteRange } | { kind: 'suffix'; length: number };

export function parseRangeHeader(header: string | undefined): ParsedRange {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) {
    // Other units or several ranges: ignore and send everything.
    if (/^bytes=/.test(header.trim()) && header.includes(',')) return { kind: 'none' };
    throw errors.rangeNotSatisfiable(`Unsupported Range header "${header}".`);
  }
  const [, first = '', last = ''] = match;
  if (first === '' && last === '')
    throw errors.rangeNotSatisfiable('A byte range needs a start or a length.');
  if (first === '') {
    const length = Number(last);
    if (length === 0) throw errors.rangeNotSatisfiable('A suffix range of 0 bytes selects nothing.');
    return { kind: 'suffix', length };
  }
  const start = Number(first);
  if (last === '') return { kind: 'range', range: { start } };
  const end = Number(last);
  if (end < start) throw errors.rangeNotSatisfiable(`Range ${start}-${end} ends before it starts.`);
  return { kind: 'range', range: { start, end } };
}
