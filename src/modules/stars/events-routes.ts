// /events/{stars,users}/stream (seed 003): Server-Sent Events of every change, `{ type, data }`
// in the default `message` event, resumable with Last-Event-ID (or ?lastEventId=). User events
// carry no email (stars-service.ts), since every subscriber gets the same frame.
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, type Access } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import { lastEventIdOf } from '../../http/sse.js';
import type { EventStreams } from './sse-stream.js';
import { STARS_CHANNEL, USERS_CHANNEL } from './stars-service.js';

const StreamQuery = Type.Object({
  lastEventId: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'Resume after this event id (for clients that cannot send Last-Event-ID)',
    }),
  ),
});

const EventStream = Type.String({
  description:
    'text/event-stream. Each change is a `message` event with an `id:` and data `{"type":"create"|"update"|"delete","data":…}`; a comment heartbeat every 15 s.',
});

/** Each stream needs what reading its resource needs: stars are public, users need a sign-in. */
const streamRoutes: ReadonlyArray<readonly [path: string, channel: string, what: string, need: Access]> = [
  ['/events/stars/stream', STARS_CHANNEL, 'star', 'public'],
  ['/events/users/stream', USERS_CHANNEL, 'user', 'signed-in'],
];

export function registerEventsRoutes(app: App, deps: { streams: EventStreams }) {
  for (const [path, channel, what, need] of streamRoutes) {
    const who = access(app, need);
    app.get(
      path,
      {
        preHandler: who.preHandler,
        schema: {
          tags: ['events'],
          summary: `Live ${what} changes (Server-Sent Events)`,
          ...who.schema,
          querystring: StreamQuery,
          produces: ['text/event-stream'],
          response: {
            200: EventStream,
            ...problemResponses(400, ...(need === 'public' ? [] : [401]), 503),
          },
        },
      },
      (request, reply) => {
        deps.streams.open(request, reply, channel, lastEventIdOf(request, request.query.lastEventId));
      },
    );
  }
}
