// Event bus for one process (embedded mode): a bounded log per channel and in-process fan-out.
import { LRUCache } from 'lru-cache';
import type { Registry, Counter } from 'prom-client';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import { ChannelFanout, Subscriber } from './channel-fanout.js';
import type {
  BusEvent,
  EventBusStats,
  ManagedEventBus,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './event-bus.js';
import { compareEventIds, isEventId, nextEventId } from './event-id.js';
import { publishedEventsMetric } from './published-events-metric.js';

export interface MemoryEventBusOptions {
  /** Events kept per channel for replay (EVENTS_REPLAY_SIZE). */
  replaySize: number;
  /** Channels whose logs are kept; the least recently published beyond this are forgotten. */
  maxChannels?: number;
}

export interface EventBusDeps {
  logger: Logger;
  metrics?: Registry;
  /** Milliseconds since the epoch; for ids. */
  now?: () => number;
}

export class MemoryEventBus implements ManagedEventBus {
  readonly driver = 'memory' as const;
  readonly check: DependencyCheck;
  readonly #replaySize: number;
  readonly #logs: LRUCache<string, BusEvent[]>;
  /** The newest PublishOptions.sequence per channel, forgotten with the channel's log. */
  readonly #sequences: LRUCache<string, bigint>;
  readonly #channels = new Map<string, ChannelFanout>();
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #published: Counter<'driver'> | undefined;

  constructor(options: MemoryEventBusOptions, deps: EventBusDeps) {
    this.#replaySize = options.replaySize;
    this.#logs = new LRUCache({ max: options.maxChannels ?? 10_000 });
    this.#sequences = new LRUCache({ max: options.maxChannels ?? 10_000 });
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
    this.#published = publishedEventsMetric(deps.metrics);
    this.check = {
      name: 'events',
      driver: 'memory',
      required: false,
      check: () => Promise.resolve({ status: 'healthy', details: { ...this.stats() } }),
    };
  }

  publish(channel: string, data: unknown, options: PublishOptions = {}): Promise<string> {
    const log = this.#logs.get(channel) ?? [];
    this.#logs.set(channel, log);
    if (options.sequence !== undefined) {
      const sequence = BigInt(options.sequence);
      const newest = this.#sequences.get(channel);
      if (newest !== undefined && sequence <= newest) return Promise.resolve(log.at(-1)?.id ?? '0-0');
      this.#sequences.set(channel, sequence);
    }
    // Round-trip through JSON so subscribers get what the Redis driver would give them.
    const event: BusEvent = {
      id: nextEventId(log.at(-1)?.id, this.#now()),
      channel,
      data: JSON.parse(JSON.stringify(data ?? null)) as unknown,
    };
    log.push(event);
    // Trim in batches so a steady stream does not shift the array on every publish.
    if (log.length > this.#replaySize * 1.25 + 10) log.splice(0, log.length - this.#replaySize);
    this.#published?.inc({ driver: 'memory' });
    this.#channels.get(channel)?.dispatch(event);
    return Promise.resolve(event.id);
  }

  subscribe<T = unknown>(channel: string, options: SubscribeOptions<T>): Subscription {
    let fanout = this.#channels.get(channel);
    if (fanout === undefined) {
      fanout = new ChannelFanout();
      this.#channels.set(channel, fanout);
    }
    const subscriber = new Subscriber(options.onEvent as (event: BusEvent) => void, this.#logger);
    fanout.subscribers.add(subscriber);
    const { after } = options;
    // Deliver the replay on a later tick: the caller gets its Subscription before any callback.
    const ready = Promise.resolve().then(() => {
      const log = this.#logs.get(channel) ?? [];
      const kept = log.slice(-this.#replaySize);
      const replay =
        after !== undefined && isEventId(after) ? kept.filter((e) => compareEventIds(e.id, after) > 0) : [];
      subscriber.goLive(replay);
    });
    return {
      ready,
      unsubscribe: () => {
        if (subscriber.close() && this.#channels.get(channel)?.remove(subscriber) === true)
          this.#channels.delete(channel);
      },
    };
  }

  stats(): EventBusStats {
    let subscribers = 0;
    for (const fanout of this.#channels.values()) subscribers += fanout.subscribers.size;
    return { channels: this.#channels.size, subscribers };
  }

  close(): Promise<void> {
    for (const fanout of this.#channels.values()) for (const s of fanout.subscribers) s.closed = true;
    this.#channels.clear();
    this.#logs.clear();
    this.#sequences.clear();
    return Promise.resolve();
  }
}
