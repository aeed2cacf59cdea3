// WS /ws (seed 002): live progress of the caller's recordings. A client sends
// `{ "type": "subscribe", "recordingId" }` or `unsubscribe`; it first gets the recording's current
// state, then every change, ending with `completed` or `failed`. Events come through the event bus,
// so the worker that runs the job and the instance holding the socket may be different processes.
import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { App } from '../../http/app-types.js';
import { requirePrincipal } from '../../http/auth.js';
import type { EventBus, Subscription } from '../../platform/events/event-bus.js';
import type { Lifecycle } from '../../platform/health/lifecycle.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { gauge } from '../../platform/telemetry/metric-factory.js';
import { messageOf, recordingChannel, type RecordingMessage } from './recording-events.js';
import type { RecordingsStore } from './recordings-store.js';
import { WsQuery } from './recordings-schemas.js';

export interface RecordingsSocketOptions {
  store: RecordingsStore;
  events: EventBus;
  lifecycle: Lifecycle;
  metrics: Registry;
  logger: Logger;
  /** WS_PING_INTERVAL_MS. */
  pingIntervalMs: number;
  /** WS_MAX_MESSAGE_BYTES: larger frames close the socket (1009). */
  maxMessageBytes: number;
  ownerOf: (request: FastifyRequest) => string;
}

/** What the ping loop and drain need of a socket. */
interface Peer {
  ping(): void;
  terminate(): void;
  close(code: number, reason: string): void;
}

/** Recordings one socket may watch at once. */
const MAX_WATCHES = 50;

type ClientMessage = { type: 'subscribe' | 'unsubscribe'; recordingId: string };

function parse(data: unknown): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return 'Messages must be JSON.';
  }
  if (typeof value !== 'object' || value === null) return 'Messages must be JSON objects.';
  const { type, recordingId } = value as Record<string, unknown>;
  if (type !== 'subscribe' && type !== 'unsubscribe') return 'type must be "subscribe" or "unsubscribe".';
  if (typeof recordingId !== 'string' || recordingId.length === 0 || recordingId.length > 64)
    return 'recordingId must be a recording id.';
  return { type, recordingId };
}

export async function registerRecordingsSocket(app: App, options: RecordingsSocketOptions): Promise<void> {
  const { store, events, logger } = options;
  await app.register(websocket, { options: { maxPayload: options.maxMessageBytes } });
  const open = gauge(options.metrics, {
    name: 'azimuth_ws_connections',
    help: 'Open WebSocket connections (recordings progress)',
    labelNames: [],
  });
  const sockets = new Set<Peer>();
  const alive = new WeakMap<Peer, boolean>();

  // Seed 004: a ping every interval; a peer that has not answered the previous one is dropped.
  const pinger = setInterval(() => {
    for (const socket of sockets) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.pingIntervalMs);
  pinger.unref();

  const removeDrain = options.lifecycle.onDrain(() => {
    for (const socket of sockets) socket.close(1001, 'server shutting down');
  });
  app.addHook('onClose', async () => {
    clearInterval(pinger);
    removeDrain();
    for (const socket of sockets) socket.terminate();
  });

  app.get(
    '/ws',
    {
      websocket: true,
      preHandler: requirePrincipal(),
      schema: {
        tags: ['recordings'],
        summary:
          'WebSocket: send {"type":"subscribe","recordingId"} to receive progress, completed and failed messages',
        querystring: WsQuery,
      },
    },
    (socket, request) => {
      const owner = options.ownerOf(request);
      const watches = new Map<string, Subscription>();
      sockets.add(socket);
      alive.set(socket, true);
      open.inc();
      const send = (message: RecordingMessage | Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const fail = (error: string, recordingId?: string) =>
        send({ type: 'error', error, ...(recordingId === undefined ? {} : { recordingId }) });

      socket.on('pong', () => alive.set(socket, true));
      socket.on('close', () => {
        sockets.delete(socket);
        open.dec();
        for (const subscription of watches.values()) subscription.unsubscribe();
        watches.clear();
      });
      socket.on('error', (error) => logger.debug({ err: error }, 'websocket error'));

      const subscribe = async (recordingId: string) => {
        if (watches.has(recordingId)) watches.get(recordingId)?.unsubscribe();
        else if (watches.size >= MAX_WATCHES) {
          fail(`At most ${MAX_WATCHES} recordings can be watched on one connection.`, recordingId);
          return;
        }
        const found = await store.get(recordingId);
        if (found?.owner !== owner) {
          fail('Recording not found.', recordingId);
          return;
        }
        // Subscribe first, then read the state: nothing published in between is lost, and the
        // version drops whatever the snapshot already includes.
        let seen = -1;
        const held: RecordingMessage[] = [];
        const forward = (message: RecordingMessage) => {
          if (message.version <= seen) return;
          seen = message.version;
          send(message);
        };
        let live = false;
        const subscription = events.subscribe<RecordingMessage>(recordingChannel(recordingId), {
          onEvent: (event) => (live ? forward(event.data) : held.push(event.data)),
        });
        watches.set(recordingId, subscription);
        await subscription.ready;
        const current = await store.get(recordingId);
        if (current === undefined) {
          subscription.unsubscribe();
          watches.delete(recordingId);
          fail('Recording not found.', recordingId);
          return;
        }
        forward(messageOf(current));
        live = true;
        for (const message of held.splice(0)) forward(message);
      };

      socket.on('message', (data, isBinary) => {
        const message = isBinary ? 'Messages must be text.' : parse(data);
        if (typeof message === 'string') {
          fail(message);
          return;
        }
        if (message.type === 'unsubscribe') {
          watches.get(message.recordingId)?.unsubscribe();
          watches.delete(message.recordingId);
          send({ type: 'unsubscribed', recordingId: message.recordingId });
          return;
        }
        subscribe(message.recordingId).catch((error: unknown) => {
          logger.warn({ err: error, recordingId: message.recordingId }, 'websocket subscribe failed');
          fail('Could not subscribe now; try again.', message.recordingId);
        });
      });
    },
  );
}
