// /stars (seed 003): list, create, read, like, delete, and the active and popular lists. One
// function per use case over one context (routes-context.ts).
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { problemResponses } from '../../http/problem.js';
import { actorOf, emptyBodyAsObject } from './actor.js';
import { routesContext, type RoutesContext, type RoutesDeps } from './routes-context.js';
import {
  CreateStarBody,
  LikeBody,
  LikeResponse,
  ListQuery,
  PopularStarPage,
  StarIdParams,
  StarPage,
  StarResponse,
} from './stars-schemas.js';

const tags = ['stars'];

/** With AUTH_MODE=jwt the user is the caller, so naming them is optional. */
const CreateStarBodyJwt = Type.Object(
  { ...CreateStarBody.properties, userId: Type.Optional(CreateStarBody.properties.userId) },
  { additionalProperties: false },
);
const LikeBodyJwt = Type.Object(
  { userId: Type.Optional(LikeBody.properties.userId) },
  { additionalProperties: false },
);

/** Sends JSON text the service had cached; the response schema still documents its shape. */
async function sendJson(reply: FastifyReply, json: Promise<string>) {
  return reply.type('application/json; charset=utf-8').send(await json);
}

export function registerStarsRoutes(app: App, deps: RoutesDeps) {
  const context = routesContext(app, deps);
  registerListStars(app, context);
  registerCreateStar(app, context);
  registerActiveAndPopular(app, context);
  registerGetStar(app, context);
  registerLike(app, context);
  registerDeleteStar(app, context);
}

function registerListStars(app: App, { service }: RoutesContext) {
  app.get(
    '/stars',
    {
      schema: {
        tags,
        summary: 'List stars, oldest first',
        querystring: ListQuery,
        response: { 200: StarPage, ...problemResponses(400) },
      },
    },
    (request) => service.listStars(request.query),
  );
}

function registerCreateStar(app: App, { service, signedIn, write }: RoutesContext) {
  app.post(
    '/stars',
    {
      ...write,
      schema: {
        tags,
        summary: 'Create a star',
        description:
          'AUTH_MODE=jwt: the star is the caller’s; userId may be omitted and naming anyone else is 403.',
        ...signedIn.schema,
        body: (app.authMode === 'jwt' ? CreateStarBodyJwt : CreateStarBody) as typeof CreateStarBodyJwt,
        response: { 201: StarResponse, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const star = await service.createStar(actorOf(request), request.body);
      return reply.code(201).header('location', `/stars/${star.id}`).send(star);
    },
  );
}

function registerActiveAndPopular(app: App, { service }: RoutesContext) {
  app.get(
    '/stars/active',
    {
      schema: {
        tags,
        summary: 'Stars that are active and not expired',
        querystring: ListQuery,
        response: { 200: StarPage, ...problemResponses(400) },
      },
    },
    (request, reply) => sendJson(reply, service.listActiveStarsJson(request.query)),
  );

  app.get(
    '/stars/popular',
    {
      schema: {
        tags,
        summary: 'Stars with the most likes within the popularity window',
        querystring: ListQuery,
        response: { 200: PopularStarPage, ...problemResponses(400) },
      },
    },
    (request, reply) => sendJson(reply, service.listPopularStarsJson(request.query)),
  );
}

function registerGetStar(app: App, { service }: RoutesContext) {
  app.get(
    '/stars/:star_id',
    {
      schema: {
        tags,
        summary: 'Read a star',
        params: StarIdParams,
        response: { 200: StarResponse, ...problemResponses(400, 404) },
      },
    },
    (request, reply) => sendJson(reply, service.getStarJson(request.params.star_id)),
  );
}

function registerLike(app: App, { service, signedIn, write }: RoutesContext) {
  const jwt = app.authMode === 'jwt';
  app.post(
    '/stars/:star_id/like',
    {
      ...write,
      ...(jwt ? { preValidation: emptyBodyAsObject } : {}),
      schema: {
        tags,
        summary: 'Like a star (once per user; liking again changes nothing)',
        description: 'AUTH_MODE=none: the liker is body.userId. AUTH_MODE=jwt: the caller.',
        ...signedIn.schema,
        params: StarIdParams,
        body: (jwt ? LikeBodyJwt : LikeBody) as typeof LikeBodyJwt,
        response: { 200: LikeResponse, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    (request) => service.like(actorOf(request), request.params.star_id, request.body.userId),
  );
}

function registerDeleteStar(app: App, { service, signedIn, write }: RoutesContext) {
  app.delete(
    '/stars/:star_id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Delete a star',
        description: 'AUTH_MODE=jwt: its owner or an admin.',
        ...signedIn.schema,
        params: StarIdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await service.deleteStar(actorOf(request), request.params.star_id);
      return reply.code(204).send(null);
    },
  );
}
