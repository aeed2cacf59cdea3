// /users (seed 003): list, create, read, update, delete, and a user's stars.
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import { actorOf, type WriteLimit } from './actor.js';
import {
  CreateUserBody,
  ListQuery,
  StarPage,
  UpdateUserBody,
  UserIdParams,
  UserPage,
  UserResponse,
} from './stars-schemas.js';
import type { StarsService } from './stars-service.js';

const tags = ['users'];

export function registerUsersRoutes(app: App, deps: { service: StarsService; writeLimit: WriteLimit }) {
  const { service } = deps;
  // Users carry emails: with AUTH_MODE=jwt reading them needs a signed-in caller.
  const { preHandler, schema: security } = access(app, 'signed-in');
  const signedIn = { preHandler };
  const write = { preHandler, config: { rateLimit: deps.writeLimit } };

  app.get(
    '/users',
    {
      ...signedIn,
      schema: {
        tags,
        summary: 'List users, oldest first',
        ...security,
        querystring: ListQuery,
        response: { 200: UserPage, ...problemResponses(400, 401) },
      },
    },
    (request) => service.listUsers(request.query),
  );

  app.post(
    '/users',
    {
      ...write,
      schema: {
        tags,
        summary: 'Create a user',
        description:
          'AUTH_MODE=jwt: creates the caller’s own user, whose id derives from the token subject; 409 when it exists.',
        ...security,
        body: CreateUserBody,
        response: { 201: UserResponse, ...problemResponses(400, 401, 409, 429) },
      },
    },
    async (request, reply) => {
      const user = await service.createUser(actorOf(request), request.body);
      return reply.code(201).header('location', `/users/${user.id}`).send(user);
    },
  );

  app.get(
    '/users/:user_id',
    {
      ...signedIn,
      schema: {
        tags,
        summary: 'Read a user',
        ...security,
        params: UserIdParams,
        response: { 200: UserResponse, ...problemResponses(400, 401, 404) },
      },
    },
    (request) => service.getUser(request.params.user_id),
  );

  app.put(
    '/users/:user_id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Update a user (fields left out are unchanged; email null clears it)',
        description: 'AUTH_MODE=jwt: that user or an admin.',
        ...security,
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: UserResponse, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    (request) => service.updateUser(actorOf(request), request.params.user_id, request.body),
  );

  app.delete(
    '/users/:user_id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Delete a user with their stars and the likes they gave',
        description: 'AUTH_MODE=jwt: that user or an admin.',
        ...security,
        params: UserIdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await service.deleteUser(actorOf(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/users/:user_id/stars',
    {
      schema: {
        tags,
        summary: 'A user’s stars, oldest first',
        params: UserIdParams,
        querystring: ListQuery,
        response: { 200: StarPage, ...problemResponses(400, 404) },
      },
    },
    (request) => service.listStarsByUser(request.params.user_id, request.query),
  );
}
