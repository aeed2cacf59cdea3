// The EventBus port: publish to a channel, subscribe from now or replay from an id (SSE
// Last-Event-ID). Drivers: memory (one process) and Redis (every instance sees every event).
import type { DependencyCheck } from '../health/dependency-check.js';

export interface BusEvent<T = unknown> {
  /** `{ms}-{seq}`; increases per channel; usable as an SSE `id:` value. */
  id: string;
  channel: string;
  data: T;
}

export interface SubscribeOptions<T> {
  /**
   * Replay the events after this id still in the log (the last EVENTS_REPLAY_SIZE per channel)
   * before live ones. An id that is not an event id is ignored (live events only).
   */
  after?: string;
  /** Called in id order, never twice for one id. A throw is logged and does not stop delivery. */
  onEvent: (event: BusEvent<T>) => void;
}

export interface Subscription {
  /** Resolves once the replay is delivered and live events flow; never rejects. */
  readonly ready: Promise<void>;
  /** Stops delivery at once and releases what the subscription held. Idempotent. */
  unsubscribe(): void;
}

export interface EventBusStats {
  /** Channels this process listens to. */
  channels: number;
  subscribers: number;
}

/**
 * What a module that only announces changes needs. The composition root gives it the outbox
 * (outbox-publisher.ts): the event is stored before the call resolves and published by the relay.
 */
export interface EventPublisher {
  publish(channel: string, data: unknown): Promise<unknown>;
}

export interface PublishOptions {
  /**
   * The event's position in its source (the outbox row id, a decimal integer), increasing per
   * channel. A publish whose sequence is not above the newest sequence in the channel's log is a
   * redelivery (the relay retried after a crash or a lost reply): nothing is appended or
   * delivered, and the channel's newest id is returned. So consumers (SSE resume by
   * Last-Event-ID, WebSocket progress) never see one change twice under two ids.
   */
  sequence?: string;
}

export interface EventBus {
  /** Appends to the channel's log and delivers to every subscriber in every process; returns the id. */
  publish(channel: string, data: unknown, options?: PublishOptions): Promise<string>;
  subscribe<T = unknown>(channel: string, options: SubscribeOptions<T>): Subscription;
  stats(): EventBusStats;
}

export interface ManagedEventBus extends EventBus {
  readonly driver: 'memory' | 'redis';
  readonly check: DependencyCheck;
  close(): Promise<void>;
}
