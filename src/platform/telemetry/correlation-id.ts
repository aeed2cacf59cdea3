// Picks the correlation id of an incoming request: the caller's `x-correlation-id`, else the
// trace id of a W3C `traceparent`, else a new one. Caller-supplied ids are length- and
// charset-checked, since they end up in logs and response headers.
import { randomUUID } from 'node:crypto';

export const correlationHeader = 'x-correlation-id';

const safeId = /^[A-Za-z0-9._:-]{1,128}$/;
const traceparent = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function correlationIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const given = first(headers[correlationHeader]);
  if (given !== undefined && safeId.test(given)) return given;
  const traceId = traceparent.exec(first(headers.traceparent)?.trim().toLowerCase() ?? '')?.[1];
  if (traceId !== undefined && traceId !== '0'.repeat(32)) return traceId;
  return randomUUID();
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
