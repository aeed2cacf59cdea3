// The module's open event streams: one bus subscription per client (the bus fans out with one
// Set loop per event), each event's frame serialized once and shared, one heartbeat timer for
// all clients, a per-instance cap, and every stream ended on drain or app close.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { openSseStream, sseComment, sseFrame, SsePayload, type SseConnection } from '../../http/sse.js';
import { errors } from '../../platform/errors/app-error.js';
import type { BusEvent, EventBus } from '../../platform/events/event-bus.js';
import type { Lifecycle } from '../../platform/health/lifecycle.js';
import { gauge } from '../../platform/telemetry/metric-factory.js';

export interface EventStreamsOptions {
  events: EventBus;
  lifecycle: Lifecycle;
  metrics: Registry;
  /** Comment line sent to every stream this often (default 15 s). */
  heartbeatMs?: number;
  /** Streams this instance serves at once; more get 503 (SSE_MAX_CONNECTIONS). */
  maxConnections: number;
}

export interface EventStreamsStats {
  connections: number;
  byChannel: Record<string, number>;
  /** True while the shared heartbeat timer exists (only while a stream is open). */
  heartbeatTimer: boolean;
}

interface Client {
  channel: string;
  connection: SseConnection;
  unsubscribe: () => void;
}

const FRAME_CACHE_SIZE = 64;

export class EventStreams {
  readonly #options: EventStreamsOptions;
  readonly #clients = new Set<Client>();
  readonly #byChannel = new Map<string, number>();
  /** Recent frames by `channel id`: every subscriber of one event gets the same bytes. */
  readonly #frames = new Map<string, SsePayload>();
  /** The event being fanned out and its frame: 10,000 subscribers get it without a key or lookup each. */
  #current: { event: BusEvent; frame: SsePayload } | undefined;
  readonly #gauge;
  readonly #removeDrainHook: () => void;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: EventStreamsOptions) {
    this.#options = options;
    this.#gauge = gauge(options.metrics, {
      name: 'azimuth_sse_connections',
      help: 'Open Server-Sent Events streams on this instance, by channel',
      labelNames: ['channel'],
    });
    this.#removeDrainHook = options.lifecycle.onDrain(() => this.closeAll());
  }

  /**
   * Streams `channel` to the client, first replaying what came after `lastEventId` (when the bus
   * still holds it). Throws 503 when this instance is full or draining; otherwise owns the reply.
   */
  open(request: FastifyRequest, reply: FastifyReply, channel: string, lastEventId?: string): void {
    if (this.#options.lifecycle.state === 'draining') {
      throw errors.serviceUnavailable('This instance is shutting down; reconnect to another.', 1);
    }
    if (this.#clients.size >= this.#options.maxConnections) {
      throw errors.serviceUnavailable('Too many open event streams on this instance; retry later.', 5);
    }
    const connection = openSseStream(request, reply);
    const subscription = this.#options.events.subscribe(channel, {
      ...(lastEventId === undefined ? {} : { after: lastEventId }),
      onEvent: (event) => connection.write(this.#frameOf(event)),
    });
    const client: Client = { channel, connection, unsubscribe: () => subscription.unsubscribe() };
    this.#clients.add(client);
    this.#count(channel, 1);
    this.#startHeartbeat();
    connection.onClose(() => {
      client.unsubscribe();
      this.#clients.delete(client);
      this.#count(channel, -1);
      if (this.#clients.size === 0) this.#stopHeartbeat();
    });
  }

  stats(): EventStreamsStats {
    return {
      connections: this.#clients.size,
      byChannel: Object.fromEntries(this.#byChannel),
      heartbeatTimer: this.#heartbeat !== undefined,
    };
  }

  /** Ends every stream (drain: clients reconnect to another instance). */
  closeAll(): void {
    for (const client of [...this.#clients]) client.connection.close();
  }

  /** Ends every stream and forgets the drain hook; for app close. */
  dispose(): void {
    this.closeAll();
    this.#removeDrainHook();
    this.#stopHeartbeat();
  }

  #frameOf(event: BusEvent): SsePayload {
    if (this.#current?.event === event) return this.#current.frame;
    const key = `${event.channel} ${event.id}`;
    let frame = this.#frames.get(key);
    if (frame === undefined) {
      frame = new SsePayload(sseFrame({ id: event.id, data: JSON.stringify(event.data) }));
      this.#frames.set(key, frame);
      if (this.#frames.size > FRAME_CACHE_SIZE) {
        const oldest = this.#frames.keys().next();
        if (oldest.done !== true) this.#frames.delete(oldest.value);
      }
    }
    this.#current = { event, frame };
    return frame;
  }

  #count(channel: string, delta: number): void {
    const next = (this.#byChannel.get(channel) ?? 0) + delta;
    if (next === 0) this.#byChannel.delete(channel);
    else this.#byChannel.set(channel, next);
    this.#gauge.set({ channel }, next);
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    const comment = new SsePayload(sseComment('heartbeat'));
    this.#heartbeat = setInterval(() => {
      for (const client of [...this.#clients]) client.connection.write(comment);
    }, this.#options.heartbeatMs ?? 15_000);
    // Open sockets keep the process alive, not this timer.
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
