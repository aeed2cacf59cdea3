// pino's `timestamp` option: the same `,"time":"2026-11-26T17:33:44.123Z"` as
// pino.stdTimeFunctions.isoTime, without a Date and toISOString() per line. The text up to the
// second is made once per second; only the milliseconds are appended per line.
let second = Number.NaN;
let head = '';

export function isoTimestamp(): string {
  const now = Date.now();
  const ms = now % 1000;
  if (now - ms !== second) {
    second = now - ms;
    head = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  return `${head}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}
