// Event bus across processes: Redis pub/sub for live delivery plus a capped stream per channel
// for replay.
//
// Why pub/sub plus a stream, not XREAD alone: one process must serve any number of channels
// from ONE reader connection. A blocking XREAD names its streams up front, so adding a channel
// would mean interrupting the read (CLIENT UNBLOCK) or polling; SUBSCRIBE can be added to a
// listening connection at any time, and Redis pushes each message once per process, which then
// fans out in memory. The stream gives what pub/sub lacks: ids and a log. A Lua script does XADD
// and PUBLISH atomically, so messages are published in id order even with many publishers, and
// each message carries its stream id. Pub/sub drops what is sent while a connection is down, so
// after the reader reconnects every channel catches up from the stream from its last seen id.
// Note: pub/sub ignores logical databases, hence the channel prefix.
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import type { DependencyCheck } from '../health/dependency-check.js';
import { closeRedis } from '../redis/redis-connections.js';
import { redisCheck } from '../redis/redis-health.js';
import { redisKeyPrefixes } from '../redis/redis-key-prefixes.js';
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
import { isEventId } from './event-id.js';
import { publishedEventsMetric } from './published-events-metric.js';
import type { EventBusDeps } from './memory-event-bus.js';

// ARGV[5], when not empty, is the event's sequence (PublishOptions): kept in the entry as `s`, and
// a sequence not above the newest entry's is a redelivery, answered with that entry's id. Only the
// newest entry is read: the relay publishes a channel's events in sequence order.
const PUBLISH_SCRIPT = `
local id
if ARGV[5] ~= '' then
  local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  if newest then
    local fields = newest[2]
    for i = 1, #fields, 2 do
      if fields[i] == 's' and tonumber(fields[i + 1]) >= tonumber(ARGV[5]) then return newest[1] end
    end
  end
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'd', ARGV[4], 's', ARGV[5])
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'd', ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[1], id .. '\\n' .. ARGV[4])
return id`;

export interface RedisEventBusOptions {
  /** Events kept per channel for replay (EVENTS_REPLAY_SIZE); trimmed approximately, never below. */
  replaySize: number;
  /** A channel's log is dropped after this long without a publish; default one day. */
  replayTtlSeconds?: number;
  /** Namespace for stream keys and pub/sub channels; default `azimuth:events:`. */
  prefix?: string;
}

export interface RedisEventBusDeps extends Omit<EventBusDeps, 'now'> {
  /** `command` connection on the events database: publishes, replays. Closed by close(). */
  publisher: Redis;
  /** `subscriber` connection: the one reader of this process. Closed by close(). */
  subscriber: Redis;
}

interface ChannelState {
  fanout: ChannelFanout;
  subscribed: Promise<void>;
  /** Live messages held while catching up after a reconnect; null when not catching up. */
  held: BusEvent[] | null;
  /** The stream's newest id when the channel was subscribed: where a catch-up starts if nothing came since. */
  baseline: string | undefined;
}

type StreamEntry = [id: string, fields: string[]];

export class RedisEventBus implements ManagedEventBus {
  readonly driver = 'redis' as const;
  readonly check: DependencyCheck;
  readonly #options: Required<RedisEventBusOptions>;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #logger: Logger;
  readonly #channels = new Map<string, ChannelState>();
  readonly #published: Counter<'driver'> | undefined;
  #everReady = false;
  #closed = false;

  constructor(options: RedisEventBusOptions, deps: RedisEventBusDeps) {
    this.#options = {
      replaySize: options.replaySize,
      replayTtlSeconds: options.replayTtlSeconds ?? 86_400,
      prefix: options.prefix ?? redisKeyPrefixes.events,
    };
    this.#publisher = deps.publisher;
    this.#subscriber = deps.subscriber;
    this.#logger = deps.logger;
    this.#published = publishedEventsMetric(deps.metrics);
    this.check = redisCheck({
      name: 'events',
      client: deps.publisher,
      required: false,
      whenDown: 'degraded',
    });
    this.#subscriber.on('message', this.#onMessage);
    this.#subscriber.on('ready', this.#onReady);
    if (this.#subscriber.status === 'ready') this.#everReady = true;
  }

  #key(channel: string): string {
    return `${this.#options.prefix}${channel}`;
  }

  async publish(channel: string, data: unknown, options: PublishOptions = {}): Promise<string> {
    const id = (await this.#publisher.eval(
      PUBLISH_SCRIPT,
      1,
      this.#key(channel),
      this.#key(channel),
      this.#options.replaySize,
      this.#options.replayTtlSeconds * 1000,
      JSON.stringify(data ?? null),
      options.sequence ?? '',
    )) as string;
    this.#published?.inc({ driver: 'redis' });
    return id;
  }

  subscribe<T = unknown>(channel: string, options: SubscribeOptions<T>): Subscription {
    const state = this.#channel(channel);
    const subscriber = new Subscriber(options.onEvent as (event: BusEvent) => void, this.#logger);
    state.fanout.subscribers.add(subscriber);
    const { after } = options;
    const ready = (async () => {
      let replay: BusEvent[] = [];
      try {
        await state.subscribed;
        if (after !== undefined && isEventId(after)) replay = await this.#readAfter(channel, after);
      } catch (error) {
        this.#logger.warn({ err: error, channel }, 'event replay failed; continuing with live events');
      }
      subscriber.goLive(replay);
    })();
    return {
      ready,
      unsubscribe: () => {
        if (!subscriber.close() || this.#channels.get(channel)?.fanout.remove(subscriber) !== true) return;
        this.#channels.delete(channel);
        this.#subscriber.unsubscribe(this.#key(channel)).catch((error: unknown) => {
          this.#logger.debug(
            { err: error, channel },
            'unsubscribe failed; the reconnect will not resubscribe',
          );
        });
      },
    };
  }

  #channel(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (state === undefined) {
      const created: ChannelState = {
        fanout: new ChannelFanout(),
        subscribed: Promise.resolve(),
        held: null,
        baseline: undefined,
      };
      created.subscribed = this.#subscriber.subscribe(this.#key(channel)).then(async () => {
        try {
          const newest = (await this.#publisher.xrevrange(
            this.#key(channel),
            '+',
            '-',
            'COUNT',
            1,
          )) as StreamEntry[];
          created.baseline = newest[0]?.[0] ?? '0-0';
        } catch {
          // Without a baseline a catch-up after a reconnect starts from the first live event seen.
        }
      });
      // Awaited by each subscriber's `ready`; this catch only keeps an early failure from being unhandled.
      created.subscribed.catch(() => undefined);
      state = created;
      this.#channels.set(channel, state);
    }
    return state;
  }

  /** The newest events after `after`, at most one log's worth, oldest first. */
  async #readAfter(channel: string, after: string): Promise<BusEvent[]> {
    const entries = (await this.#publisher.xrevrange(
      this.#key(channel),
      '+',
      `(${after}`,
      'COUNT',
      this.#options.replaySize,
    )) as StreamEntry[];
    return entries
      .reverse()
      .map(([id, fields]) => ({ id, channel, data: JSON.parse(fields[1] ?? 'null') as unknown }));
  }

  readonly #onMessage = (pubChannel: string, message: string): void => {
    if (!pubChannel.startsWith(this.#options.prefix)) return;
    const channel = pubChannel.slice(this.#options.prefix.length);
    const state = this.#channels.get(channel);
    if (state === undefined) return;
    const newline = message.indexOf('\n');
    let event: BusEvent;
    try {
      event = {
        id: message.slice(0, newline),
        channel,
        data: JSON.parse(message.slice(newline + 1)) as unknown,
      };
    } catch (error) {
      this.#logger.warn({ err: error, channel }, 'unreadable event message dropped');
      return;
    }
    if (state.held !== null) state.held.push(event);
    else state.fanout.dispatch(event);
  };

  readonly #onReady = (): void => {
    if (!this.#everReady) {
      this.#everReady = true;
      return;
    }
    void this.#catchUp();
  };

  /** After a reconnect: hold live messages, read what was missed from each stream, then release. */
  async #catchUp(): Promise<void> {
    const states = [...this.#channels.entries()];
    for (const [, state] of states) state.held ??= [];
    try {
      // A reply on the reader means its automatic re-SUBSCRIBEs were processed before it, so nothing
      // published from here on can fall between the stream read and the subscription.
      await this.#subscriber.ping();
    } catch {
      // Dropped again; the next 'ready' starts over, and messages stay held until then.
      return;
    }
    await Promise.all(
      states.map(async ([channel, state]) => {
        const from = state.fanout.lastId ?? state.baseline;
        if (from !== undefined) {
          const missed = await this.#readAfterWhenPossible(channel, from);
          for (const event of missed) state.fanout.dispatch(event);
        }
        const held = state.held ?? [];
        state.held = null;
        for (const event of held) state.fanout.dispatch(event);
      }),
    );
  }

  /**
   * The publisher connection reconnects on its own schedule, maybe after the reader: wait for it
   * rather than give up, since what the reader missed is only in the stream.
   */
  async #readAfterWhenPossible(channel: string, from: string): Promise<BusEvent[]> {
    for (let attempt = 1; !this.#closed; attempt += 1) {
      try {
        return await this.#readAfter(channel, from);
      } catch (error) {
        if (attempt >= 30) {
          this.#logger.warn({ err: error, channel }, 'event catch-up failed; some events may be missed');
          return [];
        }
        await this.#publisherReady(1000);
      }
    }
    return [];
  }

  #publisherReady(timeoutMs: number): Promise<void> {
    if (this.#publisher.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#publisher.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#publisher.once('ready', done);
    });
  }

  stats(): EventBusStats {
    let subscribers = 0;
    for (const state of this.#channels.values()) subscribers += state.fanout.subscribers.size;
    return { channels: this.#channels.size, subscribers };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const state of this.#channels.values()) for (const s of state.fanout.subscribers) s.closed = true;
    this.#channels.clear();
    this.#subscriber.off('message', this.#onMessage);
    this.#subscriber.off('ready', this.#onReady);
    await Promise.all([closeRedis(this.#subscriber), closeRedis(this.#publisher)]);
  }
}
