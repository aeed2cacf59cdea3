// Serves the web console (web/, built by Vite into web/dist) at `/`: hashed assets cached for a
// year, index.html never cached, and the SPA's own paths answered with index.html. API paths keep
// their problem+json 404s, and only the console's pages get the CSP a page needs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { App } from './app-types.js';
import { addRouteHook } from './route-hooks.js';

export interface ConsoleOptions {
  /** The Vite build output (web/dist). Absent or unbuilt: the console is not served. */
  root: string;
  /** Origins the audio player may load signed links from (the disk driver's public base URL…). */
  mediaOrigins?: string[];
  /** Origins of the identity provider, for MSAL's token calls and silent renewal frames. */
  identityOrigins?: string[];
  /** AUTH_MODE=jwt: how the console signs in (its app registration is public, not a secret). */
  entra?: ConsoleEntra;
  version: string;
  environment: string;
}

/** The console's client-side routes; a deep link to one of them loads the app. */
export const consolePages = ['sky', 'recordings', 'files', 'scans', 'operations'] as const;

const ConsoleEntra = Type.Object({
  clientId: Type.String(),
  authority: Type.String({
    description: 'https URL MSAL signs in at, e.g. https://login.microsoftonline.com/{tenant}',
  }),
  scope: Type.String({ description: 'The API scope the console asks tokens for' }),
});
export type ConsoleEntra = Static<typeof ConsoleEntra>;

const ConsoleConfig = Type.Object({
  authMode: Type.Enum(['none', 'jwt']),
  version: Type.String(),
  environment: Type.String(),
  entra: Type.Union([ConsoleEntra, Type.Null()], { description: 'AUTH_MODE=jwt: the console’s sign-in' }),
});

/** A page's policy: everything from this origin, nothing inline, nothing framed. */
export function consoleCsp(options: Pick<ConsoleOptions, 'mediaOrigins' | 'identityOrigins'>): string {
  const identity = options.identityOrigins ?? [];
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    // ws:/wss: of this origin: 'self' does not cover WebSocket schemes in every browser.
    'connect-src': ["'self'", 'ws:', 'wss:', ...identity],
    'media-src': ["'self'", 'blob:', 'https:', ...(options.mediaOrigins ?? [])],
    'frame-src': identity.length > 0 ? identity : ["'none'"],
    'manifest-src': ["'self'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

export async function registerConsole(app: App, options: ConsoleOptions): Promise<void> {
  const config = {
    authMode: app.authMode,
    version: options.version,
    environment: options.environment,
    entra: app.authMode === 'jwt' ? (options.entra ?? null) : null,
  };
  // Even unbuilt, the console's settings are there for a console served from elsewhere (Static Web Apps).
  app.get(
    '/console/config',
    {
      schema: {
        tags: ['service'],
        summary: 'What the web console needs to know: auth mode, how to sign in, and version',
        response: { 200: ConsoleConfig },
      },
    },
    () => config,
  );
  if (!existsSync(join(options.root, 'index.html'))) {
    app.log.warn({ root: options.root }, 'web console not built; run `npm run build:web` to serve it at /');
    return;
  }
  const csp = consoleCsp(options);
  await app.register(fastifyStatic, {
    root: join(options.root, 'assets'),
    prefix: '/assets/',
    index: false,
    // Names carry a content hash: a changed file is a new URL.
    immutable: true,
    maxAge: '365d',
  });
  const sendIndex = (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', csp)
      .sendFile('index.html', options.root, { cacheControl: false });

  // `/` is also the API's service description (root-route.ts, registered after this): browsers
  // (asking for HTML) get the console. Only that route gets the hook; no other request pays for it.
  app.addHook('onRoute', (route) => {
    if (route.url !== '/' || route.method !== 'GET') return;
    addRouteHook(route, 'onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (wantsHtml(request)) void sendIndex(reply);
      else done();
    });
  });
  const page = {
    schema: {
      hide: true,
      produces: ['text/html'],
      params: Type.Object({ '*': Type.Optional(Type.String()) }),
    },
  };
  for (const name of consolePages) {
    app.get(`/${name}`, page, (_request, reply) => sendIndex(reply));
    app.get(`/${name}/*`, page, (_request, reply) => sendIndex(reply));
  }
}
