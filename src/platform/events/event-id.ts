// Event ids in Redis stream form, `{ms}-{seq}`, for both drivers: ordered, and safe as SSE ids.

const EVENT_ID = /^(\d{1,15})-(\d{1,15})$/;

export function isEventId(text: string): boolean {
  return EVENT_ID.test(text);
}

function parts(id: string): [number, number] {
  const match = EVENT_ID.exec(id);
  if (match === null) throw new TypeError(`not an event id: ${id}`);
  return [Number(match[1]), Number(match[2])];
}

/** Negative when a is older than b, zero when equal, positive when newer. */
export function compareEventIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  return aMs === bMs ? aSeq - bSeq : aMs - bMs;
}

/** The id after `last` at time `nowMs`, as Redis XADD `*` makes them (never going backwards). */
export function nextEventId(last: string | undefined, nowMs: number): string {
  if (last === undefined) return `${nowMs}-0`;
  const [lastMs, lastSeq] = parts(last);
  return nowMs > lastMs ? `${nowMs}-0` : `${lastMs}-${lastSeq + 1}`;
}
