// /debug (seed 003): store tables, why stars are or are not active, and a quick test star.
// Registered only when DEBUG=true outside production, and then only for admins (AUTH_MODE=jwt).
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import { emptyBodyAsObject, type WriteLimit } from './actor.js';
import { StarName, StarPage, StarResponse, StatsResponse, TtlSeconds } from './stars-schemas.js';
import type { StarsService } from './stars-service.js';

const tags = ['debug'];

const ActiveStarsDiagnosis = Type.Object({
  now: Type.String({ format: 'date-time' }),
  activeStars: Type.Integer(),
  expiredStars: Type.Integer({ description: 'Flagged active but past their expiry' }),
  inactiveStars: Type.Integer({ description: 'Flagged inactive' }),
  firstPageFromStore: StarPage,
  firstPageCached: Type.Boolean({ description: 'Whether the first page of /stars/active is in the cache' }),
});

const AddTestStarBody = Type.Object(
  {
    userId: Type.Optional(Type.String({ format: 'uuid' })),
    name: Type.Optional(StarName),
    ttlSeconds: Type.Optional(TtlSeconds),
  },
  { additionalProperties: false },
);

export function registerDebugRoutes(
  app: App,
  deps: {
    service: StarsService;
    writeLimit: WriteLimit;
    clock: () => number;
  },
) {
  const { service } = deps;
  const { preHandler, schema: security } = access(app, 'admin');
  const admin = { preHandler };

  app.get(
    '/debug/table-info',
    {
      ...admin,
      schema: {
        tags,
        summary: 'The store’s driver, tables and row counts',
        ...security,
        response: { 200: StatsResponse, ...problemResponses(401, 403) },
      },
    },
    () => service.stats(),
  );

  app.get(
    '/debug/active-stars',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Why stars are or are not active: counts, the store’s first page, and the cache',
        ...security,
        response: { 200: ActiveStarsDiagnosis, ...problemResponses(401, 403) },
      },
    },
    () => service.diagnoseActive(),
  );

  app.post(
    '/debug/add-test-star',
    {
      ...admin,
      config: { rateLimit: deps.writeLimit },
      preValidation: emptyBodyAsObject,
      schema: {
        tags,
        summary: 'Add a star at a random position, for a new test user unless userId is given',
        ...security,
        body: AddTestStarBody,
        response: { 201: StarResponse, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const userId = body.userId ?? (await service.createUser(null, { name: 'Debug user' })).id;
      const star = await service.createStar(null, {
        userId,
        name: body.name ?? `Test star ${new Date(deps.clock()).toISOString()}`,
        message: 'Added by /debug/add-test-star',
        ra: Math.random() * 360,
        dec: Math.random() * 180 - 90,
        color: '#ffd700',
        ...(body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds }),
      });
      return reply.code(201).send(star);
    },
  );
}
