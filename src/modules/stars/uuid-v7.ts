// UUID version 7 (RFC 9562): a millisecond timestamp then random bits, so ids sort by creation
// time both as PostgreSQL uuids and as Table Storage keys. Node 20 has no built-in generator.
import { randomBytes } from 'node:crypto';

/**
 * Monotonic within one generator (RFC 9562 §6.2, method 1): ids made in the same millisecond
 * count up in the 12-bit `rand_a` field, so one process's ids sort in the order it made them.
 * Across processes they sort by millisecond only.
 */
export class UuidV7Generator {
  private lastMs = -1;
  private counter = 0;

  next(nowMs: number): string {
    let ms = Math.max(0, Math.floor(nowMs));
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter > 0xfff) {
        // Borrow the next millisecond rather than wrap and lose the order.
        ms++;
        this.counter = 0;
      }
    } else {
      // Start low in the counter space so a burst in one millisecond has room to count up.
      this.counter = randomBytes(1)[0] ?? 0;
    }
    this.lastMs = ms;

    const bytes = randomBytes(16);
    let rest = ms;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
