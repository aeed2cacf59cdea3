// /users (seed 003): list, create, read, update, delete, and a user's stars. One function per use
// case over one deps object. Users carry emails: with AUTH_MODE=jwt reading users needs a
// signed-in caller, and an email is shown only to that user and to admins.
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { problemResponses } from '../../http/problem.js';
import { actorOf } from './actor.js';
import { routesContext, type RoutesContext, type RoutesDeps } from './routes-context.js';
import {
  CreateUserBody,
  ListQuery,
  StarPage,
  UpdateUserBody,
  UserIdParams,
  UserPage,
  UserResponse,
} from './stars-schemas.js';

const tags = ['users'];

export function registerUsersRoutes(app: App, deps: RoutesDeps) {
  const context = routesContext(app, deps);
  registerListUsers(app, context);
  registerCreateUser(app, context);
  registerGetUser(app, context);
  registerUpdateUser(app, context);
  registerDeleteUser(app, context);
  registerUserStars(app, context);
}

function registerListUsers(app: App, { service, signedIn }: RoutesContext) {
  app.get(
    '/users',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'List users, oldest first (emails only of your own user, or of all for admins)',
        ...signedIn.schema,
        querystring: ListQuery,
        response: { 200: UserPage, ...problemResponses(400, 401) },
      },
    },
    (request) => service.listUsers(actorOf(request), request.query),
  );
}

function registerCreateUser(app: App, { service, signedIn, write }: RoutesContext) {
  app.post(
    '/users',
    {
      ...write,
      schema: {
        tags,
        summary: 'Create a user',
        description:
          'AUTH_MODE=jwt: creates the caller’s own user, whose id derives from the token subject; 409 when it exists.',
        ...signedIn.schema,
        body: CreateUserBody,
        response: { 201: UserResponse, ...problemResponses(400, 401, 409, 429) },
      },
    },
    async (request, reply) => {
      const user = await service.createUser(actorOf(request), request.body);
      return reply.code(201).header('location', `/users/${user.id}`).send(user);
    },
  );
}

function registerGetUser(app: App, { service, signedIn }: RoutesContext) {
  app.get(
    '/users/:user_id',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'Read a user (the email only for that user and admins)',
        ...signedIn.schema,
        params: UserIdParams,
        response: { 200: UserResponse, ...problemResponses(400, 401, 404) },
      },
    },
    (request) => service.getUser(actorOf(request), request.params.user_id),
  );
}

function registerUpdateUser(app: App, { service, signedIn, write }: RoutesContext) {
  app.put(
    '/users/:user_id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Update a user (fields left out are unchanged; email null clears it)',
        description: 'AUTH_MODE=jwt: that user or an admin.',
        ...signedIn.schema,
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: UserResponse, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    (request) => service.updateUser(actorOf(request), request.params.user_id, request.body),
  );
}

function registerDeleteUser(app: App, { service, signedIn, write }: RoutesContext) {
  app.delete(
    '/users/:user_id',
    {
      ...write,
      schema: {
        tags,
        summary: 'Delete a user with their stars and the likes they gave',
        description: 'AUTH_MODE=jwt: that user or an admin.',
        ...signedIn.schema,
        params: UserIdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await service.deleteUser(actorOf(request), request.params.user_id);
      return reply.code(204).send(null);
    },
  );
}

function registerUserStars(app: App, { service }: RoutesContext) {
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
