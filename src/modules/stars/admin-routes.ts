// /admin/stars: cache flush, counts, and counter repair; admins only (AUTH_MODE=jwt).
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import type { WriteLimit } from './actor.js';
import type { EventStreams } from './sse-stream.js';
import { RecomputeResponse, StatsResponse } from './stars-schemas.js';
import type { StarsService } from './stars-service.js';

const tags = ['admin'];

const AdminStats = Type.Object({
  store: StatsResponse,
  streams: Type.Object({
    connections: Type.Integer({ description: 'Open event streams on this instance' }),
    byChannel: Type.Record(Type.String(), Type.Integer()),
  }),
  events: Type.Object({
    channels: Type.Integer({ description: 'Channels this instance listens to' }),
    subscribers: Type.Integer(),
  }),
});

export function registerAdminRoutes(
  app: App,
  deps: { service: StarsService; streams: EventStreams; events: EventBus; writeLimit: WriteLimit },
) {
  const { service } = deps;
  const { preHandler, schema: security } = access(app, 'admin');
  const admin = { preHandler };

  app.post(
    '/admin/stars/cache/flush',
    {
      ...admin,
      config: { rateLimit: deps.writeLimit },
      schema: {
        tags,
        summary: 'Drop every cached star and list (on every instance: the Redis cache is shared)',
        ...security,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 429) },
      },
    },
    async (_request, reply) => {
      await service.flushCache();
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/stars/stats',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Store counts, open event streams and event bus subscribers',
        ...security,
        response: { 200: AdminStats, ...problemResponses(401, 403) },
      },
    },
    async () => {
      const { connections, byChannel } = deps.streams.stats();
      return {
        store: await service.stats(),
        streams: { connections, byChannel },
        events: deps.events.stats(),
      };
    },
  );

  app.post(
    '/admin/stars/popularity/recompute',
    {
      ...admin,
      config: { rateLimit: deps.writeLimit },
      schema: {
        tags,
        summary: 'Re-derive every star’s like counter from its like records',
        ...security,
        response: { 200: RecomputeResponse, ...problemResponses(401, 403, 429) },
      },
    },
    () => service.recomputeLikes(),
  );
}
