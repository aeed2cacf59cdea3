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
 * What a module that only announces changes needs. The composition root gives it a
 * RetryingPublisher (retrying-publisher.ts), which waits out a bus outage instead of failing.
 */
export interface EventPublisher {
  publish(channel: string, data: unknown): Promise<unknown>;
}

export interface EventBus {
  /** Appends to the channel's log and delivers to every subscriber in every process; returns the id. */
  publish(channel: string, data: unknown): Promise<string>;
  subscribe<T = unknown>(channel: string, options: SubscribeOptions<T>): Subscription;
  stats(): EventBusStats;
}

export interface ManagedEventBus extends EventBus {
  readonly driver: 'memory' | 'redis';
  readonly check: DependencyCheck;
  close(): Promise<void>;
}
