// In-process fan-out for one channel: ordered, de-duplicated delivery to many subscribers, with
// per-subscriber buffering while that subscriber's replay is being read. Both drivers use it, so
// 10,000 subscribers cost one Set and one loop per event, not a connection or timer each.
import type { Logger } from '../telemetry/logger.js';
import type { BusEvent } from './event-bus.js';
import { compareEventIds } from './event-id.js';

export class Subscriber {
  lastId: string | undefined;
  /** Live events held back until the replay is delivered; null once live. */
  buffer: BusEvent[] | null = [];
  closed = false;

  constructor(
    private readonly onEvent: (event: BusEvent) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * `newerThan`: an id the fan-out already found older than this event. A live subscriber's last id
   * is usually that very id, so the comparison (two regex parses) is skipped for most of 10,000.
   */
  deliver(event: BusEvent, newerThan?: string): void {
    if (this.closed) return;
    if (this.buffer !== null) {
      this.buffer.push(event);
      return;
    }
    this.#emit(event, newerThan);
  }

  /** Stops delivery and drops what was buffered; false when it was already closed. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.buffer = null;
    return true;
  }

  /** Delivers replayed events directly, then what arrived meanwhile, then goes live. */
  goLive(replay: readonly BusEvent[]): void {
    for (const event of replay) this.#emit(event);
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) this.#emit(event);
  }

  #emit(event: BusEvent, newerThan?: string): void {
    if (this.closed) return;
    if (
      this.lastId !== undefined &&
      this.lastId !== newerThan &&
      compareEventIds(event.id, this.lastId) <= 0
    ) {
      return;
    }
    this.lastId = event.id;
    try {
      this.onEvent(event);
    } catch (error) {
      this.logger.warn({ err: error, channel: event.channel }, 'event subscriber threw');
    }
  }
}

export class ChannelFanout {
  readonly subscribers = new Set<Subscriber>();
  /** Newest id delivered on this channel in this process. */
  lastId: string | undefined;

  /** Delivers to every subscriber; returns false for an id already seen (duplicate or late). */
  dispatch(event: BusEvent): boolean {
    const previous = this.lastId;
    if (previous !== undefined && compareEventIds(event.id, previous) <= 0) return false;
    this.lastId = event.id;
    for (const subscriber of this.subscribers) subscriber.deliver(event, previous);
    return true;
  }

  /** Removes a subscriber; true when it was the last one (the channel can be dropped). */
  remove(subscriber: Subscriber): boolean {
    this.subscribers.delete(subscriber);
    return this.subscribers.size === 0;
  }
}
