// Clamps a requested inclusive byte range to a blob's size, the way Azure and HTTP do.
import { errors } from '../errors/app-error.js';
import type { ByteRange } from './blob-store.js';

/** Undefined for "whole blob"; 416 when the range starts past the end or is inverted. */
export function resolveRange(
  range: ByteRange | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (range === undefined) return undefined;
  const { start } = range;
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (range.end !== undefined && (!Number.isInteger(range.end) || range.end < start))
  )
    throw errors.rangeNotSatisfiable(`Invalid byte range ${start}-${range.end ?? ''}.`);
  if (start >= size)
    throw errors.rangeNotSatisfiable(`Range starts at byte ${start} but the blob has ${size} bytes.`);
  return { start, end: Math.min(range.end ?? size - 1, size - 1) };
}
