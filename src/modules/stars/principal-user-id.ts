// With AUTH_MODE=jwt a caller's star-map user is the one whose id derives from their token's
// subject: the subject itself when it is a UUID, else a name-based UUID (v5) of it, since
// Entra ID subjects are opaque strings while store ids are UUIDs.
import { createHash } from 'node:crypto';

/** Fixed namespace of Azimuth's star-map user ids (random, never change it). */
const NAMESPACE = '3c8e6f5a-9d2b-4e71-8a0f-6b5c4d3e2f1a';
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function principalUserId(subject: string): string {
  if (UUID.test(subject)) return subject.toLowerCase();
  const hash = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(subject, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
