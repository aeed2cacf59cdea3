// WS /ws: live progress of the caller's background jobs, one socket for every module. A module adds
// a topic (recordings: `recordingId`, scans: `scanId`); a client sends `{ "type": "subscribe",
// "<key>": id }` or `unsubscribe`, first gets the item's current state, then every change published
// on the item's event-bus channel, so the worker running the job and the instance holding the
// socket may be different processes.
import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import Type from 'typebox';
import type { AuditLog } from '../platform/audit/audit-log.js';
import { isAppError } from '../platform/errors/app-error.js';
import type { EventBus, Subscription } from '../platform/events/event-bus.js';
import type { Lifecycle } from '../platform/health/lifecycle.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { gauge } from '../platform/telemetry/metric-factory.js';
import type { AppModule } from './app-types.js';
import { requirePrincipal } from './auth.js';
import { refusalEntry } from './refusal-audit.js';

/** A state message; a larger version is a later state. */
export interface ProgressMessage {
  version: number;
}

export interface ProgressTopic {
  /** The message field naming the watched item: `recordingId`, `scanId`. */
  key: string;
  /** The item's name in error frames: `Recording`, `Scan`. */
  noun: string;
  /** The event-bus channel the item's messages are published on. */
  channel(id: string): string;
  /**
   * The item's current state, or undefined when it does not exist; throws errors.notYours when
   * the caller may not see it (answered as not found, audited as a refusal).
   */
  snapshot(id: string, request: FastifyRequest): Promise<ProgressMessage | undefined>;
}

export interface ProgressSocketOptions {
  events: EventBus;
  lifecycle: Lifecycle;
  metrics: Registry;
  logger: Logger;
  /** WS_PING_INTERVAL_MS. */
  pingIntervalMs: number;
  /** WS_MAX_MESSAGE_BYTES: larger frames close the socket (1009). */
  maxMessageBytes: number;
  /** Where refused subscriptions (someone else's item) are recorded. */
  audit?: AuditLog;
}

export interface ProgressSocket {
  /** Lets clients watch another kind of item; call before the app is ready. */
  addTopic(topic: ProgressTopic): void;
  /** Registers `/ws`; the composition root hosts it once, beside the modules. */
  readonly module: AppModule;
}

/** What the ping loop and drain need of a socket. */
interface Peer {
  ping(): void;
  terminate(): void;
  close(code: number, reason: string): void;
}

/** Items one socket may watch at once. */
const MAX_WATCHES = 50;

export const WsQuery = Type.Object({
  access_token: Type.Optional(Type.String({ description: 'Bearer token (AUTH_MODE=jwt)' })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

type ClientMessage = { type: 'subscribe' | 'unsubscribe'; topic: ProgressTopic; id: string };

function parse(data: unknown, topics: ProgressTopic[]): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return 'Messages must be JSON.';
  }
  if (typeof value !== 'object' || value === null) return 'Messages must be JSON objects.';
  const fields = value as Record<string, unknown>;
  const { type } = fields;
  if (type !== 'subscribe' && type !== 'unsubscribe') return 'type must be "subscribe" or "unsubscribe".';
  const topic = topics.find((candidate) => candidate.key in fields);
  if (topic === undefined) return `Name what to watch: ${topics.map((t) => t.key).join(' or ')}.`;
  const id = fields[topic.key];
  if (typeof id !== 'string' || id.length === 0 || id.length > 64)
    return `${topic.key} must be a ${topic.noun.toLowerCase()} id.`;
  return { type, topic, id };
}

export function createProgressSocket(options: ProgressSocketOptions): ProgressSocket {
  const topics: ProgressTopic[] = [];
  return {
    addTopic(topic) {
      if (topics.some((known) => known.key === topic.key))
        throw new Error(`progress topic ${topic.key} added twice`);
      topics.push(topic);
    },
    module: (app) => registerProgressSocket(app, options, topics),
  };
}

async function registerProgressSocket(
  app: Parameters<AppModule>[0],
  options: ProgressSocketOptions,
  topics: ProgressTopic[],
): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: options.maxMessageBytes },
    errorHandler: onSocketError,
  });
  const open = gauge(options.metrics, {
    name: 'azimuth_ws_connections',
    help: 'Open WebSocket connections (live job progress)',
    labelNames: [],
  });
  const sockets = new Set<Peer>();
  const pinger = startPinger(sockets, options.pingIntervalMs);

  // 1012 (service restart): reconnect, another instance will answer.
  const removeDrain = options.lifecycle.onDrain(() => {
    for (const socket of sockets) socket.close(1012, 'server restarting; reconnect');
  });
  app.addHook('onClose', async () => {
    pinger.stop();
    removeDrain();
    for (const socket of sockets) socket.terminate();
  });

  app.get(
    '/ws',
    {
      websocket: true,
      preHandler: requirePrincipal(),
      schema: {
        tags: ['progress'],
        summary: `WebSocket: send {"type":"subscribe", ${topics.map((t) => `"${t.key}"`).join(' | ')}} to receive progress, completed and failed messages`,
        querystring: WsQuery,
      },
    },
    (socket, request) => {
      const release = request.server.streamSlots.take(request);
      if (release === undefined) {
        // 1008 (policy violation): a browser sees the code and reason, never an upgrade's status.
        socket.close(
          1008,
          `too many connections: at most ${request.server.streamSlots.maxPerClient} per client`,
        );
        return;
      }
      sockets.add(socket);
      pinger.alive.set(socket, true);
      open.inc();
      const session = watchSession({
        options,
        request,
        send: (message) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
        },
      });
      socket.on('pong', () => pinger.alive.set(socket, true));
      socket.on('close', () => {
        release();
        sockets.delete(socket);
        open.dec();
        session.close();
      });
      socket.on('message', (data, isBinary) => {
        const message = isBinary ? 'Messages must be text.' : parse(data, topics);
        if (typeof message === 'string') session.fail(message);
        else session.handle(message);
      });
    },
  );
}

/** Seed 004: a ping every interval; a peer that has not answered the previous one is dropped. */
function startPinger(sockets: Set<Peer>, intervalMs: number) {
  const alive = new WeakMap<Peer, boolean>();
  const timer = setInterval(() => {
    for (const socket of sockets) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return { alive, stop: () => clearInterval(timer) };
}

/**
 * A malformed or oversized frame, or a peer gone without a close, is the client's doing: one info
 * line, no stack. Anything else is ours.
 */
function onSocketError(error: Error, socket: Peer, request: FastifyRequest): void {
  if (isClientSocketError(error))
    request.log.info({ error: describeError(error) }, 'websocket closed by a client error');
  else request.log.error({ err: error }, 'websocket failed');
  socket.terminate();
}

/** ws's protocol errors (`WS_ERR_*`: bad frames, UTF-8, sizes) and a peer that vanished. */
function isClientSocketError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE')
  );
}

const describeError = (error: Error) => ({
  code: (error as { code?: unknown }).code,
  message: error.message,
});

/** A refusal (someone else's item) is audited and answered as not found; anything else is ours. */
async function subscribeFailed(
  context: {
    options: ProgressSocketOptions;
    request: FastifyRequest;
    fail: (error: string, about?: ClientMessage) => void;
  },
  message: ClientMessage,
  error: unknown,
) {
  const { options, request, fail } = context;
  if (isAppError(error) && error.refusal) {
    await options.audit
      ?.record(refusalEntry(request, error, 'ws.subscribe'))
      .catch((failure: unknown) =>
        options.logger.error({ err: failure }, 'audit record of a refusal failed'),
      );
    fail(`${message.topic.noun} not found.`, message);
    return;
  }
  options.logger.warn({ err: error, [message.topic.key]: message.id }, 'websocket subscribe failed');
  fail('Could not subscribe now; try again.', message);
}

/** One connection's watches: subscribe, unsubscribe, and the error frames they answer with. */
function watchSession(context: {
  options: ProgressSocketOptions;
  request: FastifyRequest;
  send: (message: object) => void;
}) {
  const { options, request, send } = context;
  const watches = new Map<string, Subscription>();
  const watchKey = (message: ClientMessage) => `${message.topic.key}:${message.id}`;
  const fail = (error: string, about?: ClientMessage) =>
    send({ type: 'error', error, ...(about === undefined ? {} : { [about.topic.key]: about.id }) });
  const stop = (key: string) => {
    watches.get(key)?.unsubscribe();
    watches.delete(key);
  };

  const subscribe = async (message: ClientMessage) => {
    const { topic, id } = message;
    const key = watchKey(message);
    if (watches.has(key)) stop(key);
    else if (watches.size >= MAX_WATCHES) {
      fail(`At most ${MAX_WATCHES} items can be watched on one connection.`, message);
      return;
    }
    const notFound = () => fail(`${topic.noun} not found.`, message);
    if ((await topic.snapshot(id, request)) === undefined) {
      notFound();
      return;
    }
    // Subscribe first, then read the state: nothing published in between is lost, and the
    // version drops whatever the snapshot already includes.
    let seen = -1;
    const held: ProgressMessage[] = [];
    const forward = (state: ProgressMessage) => {
      if (state.version <= seen) return;
      seen = state.version;
      send(state);
    };
    let live = false;
    const subscription = options.events.subscribe<ProgressMessage>(topic.channel(id), {
      onEvent: (event) => (live ? forward(event.data) : held.push(event.data)),
    });
    watches.set(key, subscription);
    await subscription.ready;
    const current = await topic.snapshot(id, request);
    if (current === undefined) {
      stop(key);
      notFound();
      return;
    }
    forward(current);
    live = true;
    for (const state of held.splice(0)) forward(state);
  };

  return {
    fail,
    handle(message: ClientMessage) {
      if (message.type === 'unsubscribe') {
        stop(watchKey(message));
        send({ type: 'unsubscribed', [message.topic.key]: message.id });
        return;
      }
      subscribe(message).catch((error: unknown) => subscribeFailed({ ...context, fail }, message, error));
    },
    close() {
      for (const subscription of watches.values()) subscription.unsubscribe();
      watches.clear();
    },
  };
}
