// Every audit record is written, whatever its fields hold: PostgreSQL refuses a NUL in text (and
// the record of the refused request that carried it would be lost), and a field an attacker
// chooses must not grow the table without bound. Applied once, where entries become rows.
import type { AuditEntry } from './audit-log.js';

/** Longest text kept per field; the rest is replaced by a marker saying how much was cut. */
export const AUDIT_FIELD_MAX_CHARS = 2048;

/** C0 controls but tab, newline and carriage return, and DEL. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Control characters (NUL above all) as visible `\u0000` escapes, and lone surrogates (which no
 * UTF-8 column holds) as U+FFFD; then the length bound.
 */
export function sanitiseAuditText(text: string): string {
  const visible = text
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  if (visible.length <= AUDIT_FIELD_MAX_CHARS) return visible;
  return `${visible.slice(0, AUDIT_FIELD_MAX_CHARS)}… (${visible.length - AUDIT_FIELD_MAX_CHARS} more characters)`;
}

const orNull = (text: string | null): string | null => (text === null ? null : sanitiseAuditText(text));

/** The entry with every text field sanitised; nothing is dropped. */
export function sanitiseAuditEntry(entry: AuditEntry): AuditEntry {
  return {
    ...entry,
    actor: orNull(entry.actor),
    clientIp: orNull(entry.clientIp),
    operation: sanitiseAuditText(entry.operation),
    target: sanitiseAuditText(entry.target),
    correlationId: orNull(entry.correlationId),
    detail: orNull(entry.detail),
  };
}
