// AUTH_MODE=jwt in a real browser: the console signs in with the real @azure/msal-browser against a
// local stand-in for Entra ID (authorization code + PKCE, tokens, JWKS), the API verifies the
// stand-in's tokens with its issuer and keys, and the token travels on every path a browser has:
// fetch (a star), the event stream, the access_token query form (EventSource, /ws), then sign-out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcStandIn, type OidcStandIn } from '../helpers/oidc-stand-in.js';
import { chromiumAvailable, expectAccessible, launchChromium, shoot, watchProblems } from './browser.js';
import { buildConsole, consoleServer, freePort, type ConsoleServer } from './console-server.js';

const slow = 60_000;

/** Opens an event stream in the page the way a plain EventSource must (token in the query). */
const eventSourceProbe = (token: string) => `new Promise((resolve) => {
  const source = new EventSource('/events/stars/stream?access_token=' + encodeURIComponent(${JSON.stringify(token)}));
  source.onopen = () => { source.close(); resolve('open'); };
  source.onerror = () => { source.close(); resolve('refused'); };
})`;

describe.runIf(chromiumAvailable())('console sign-in with Entra ID (AUTH_MODE=jwt) in Chromium', () => {
  let entra: OidcStandIn;
  let server: ConsoleServer;
  let browser: Browser;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    buildConsole();
    const dir = await mkdtemp(join(tmpdir(), 'azimuth-console-jwt-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    entra = await startOidcStandIn({ redirectUris: [`http://127.0.0.1:${port}`] });
    cleanups.push(() => entra.close());
    server = consoleServer({
      port,
      env: {
        DATA_DIR: join(dir, 'data'),
        API_RATE_LIMIT_TIMES: '1000',
        AUTH_MODE: 'jwt',
        AUTH_JWKS_URL: entra.jwksUri,
        AUTH_JWT_ISSUER: entra.issuer,
        AUTH_JWT_AUDIENCE: entra.apiClientId,
        CONSOLE_ENTRA_CLIENT_ID: entra.clientId,
        CONSOLE_ENTRA_AUTHORITY: entra.authority,
        CONSOLE_ENTRA_API_SCOPE: entra.apiScope,
        // The API fetches the stand-in's JWKS over TLS with a self-signed certificate.
        NODE_EXTRA_CA_CERTS: entra.certificatePath,
      },
    });
    cleanups.push(() => server.stop());
    await server.start();
    browser = await launchChromium();
    cleanups.push(() => browser.close());
  }, 180_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it(
    'signs in through MSAL, uses the token on fetch, SSE and /ws, and signs out',
    { timeout: 240_000 },
    async () => {
      // The stand-in's certificate is self-signed; the browser is told to accept it, as a person would.
      const context = await browser.newContext({
        ignoreHTTPSErrors: true,
        viewport: { width: 1100, height: 760 },
      });
      await context.addInitScript({ content: `localStorage.setItem('azimuth.theme', 'light');` });
      const page = await context.newPage();
      const problems = watchProblems(page);
      const sockets: string[] = [];
      const frames: string[] = [];
      page.on('websocket', (socket) => {
        sockets.push(socket.url());
        socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
      });
      const streamAuth: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/events/stars/stream')) streamAuth.push(request.headers().authorization);
      });

      await page.goto(`${server.url}/sky`);
      // Signed out, the API refuses what needs a caller.
      expect((await fetch(`${server.url}/users`)).status).toBe(401);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(entra.user.preferredUsername).waitFor({ timeout: slow });
      expect(entra.requests).toEqual(
        expect.arrayContaining([
          'GET /{tenant}/v2.0/.well-known/openid-configuration',
          'GET /{tenant}/oauth2/v2.0/authorize',
          'POST /{tenant}/oauth2/v2.0/token',
        ]),
      );
      const token = entra.issued.at(-1) ?? '';
      expect(token).not.toBe('');

      // A star placed from the page is the signed-in caller's.
      await page.goto(`${server.url}/sky`);
      await page.locator('[data-live="true"]').waitFor({ timeout: slow });
      expect(streamAuth.at(-1)).toBe(`Bearer ${token}`);
      await page.locator('sky-chart svg').click({ position: { x: 420, y: 150 } });
      await page.getByLabel('Name').fill('Signed-in star');
      await page.getByRole('button', { name: 'Place star' }).click();
      await page.locator('circle[aria-label^="Signed-in star"]').waitFor({ timeout: slow });
      const stars = (await (await fetch(`${server.url}/stars?limit=100`)).json()) as {
        items: { name: string; userId: string }[];
      };
      const mine = stars.items.find((s) => s.name === 'Signed-in star');
      const me = (await (
        await fetch(`${server.url}/users?limit=100`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { items: { id: string }[] };
      expect(me.items.map((u) => u.id)).toContain(mine?.userId);
      await expectAccessible(page);
      await shoot(page, 'sign-in');

      // The query form: EventSource cannot send headers; a token the stand-in did not sign is refused.
      expect(await page.evaluate<string>(eventSourceProbe(token))).toBe('open');
      expect(await page.evaluate<string>(eventSourceProbe(`${token.slice(0, -4)}AAAA`))).toBe('refused');

      // /ws: the console's stage bar follows a scan over a socket opened with the token.
      await page.goto(`${server.url}/scans`);
      const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#c8a078' } })
        .jpeg()
        .toBuffer();
      await page.getByLabel('Ingredients, as printed').fill('Aqua, Formaldehyde');
      await page
        .locator('upload-box input[type="file"]')
        .setInputFiles({ name: 'p.jpg', mimeType: 'image/jpeg', buffer: photo });
      await page.locator('.stage-bar[data-status="completed"]').waitFor({ timeout: 120_000 });
      const socket = sockets.find((url) => new URL(url).pathname === '/ws');
      expect(new URL(socket ?? 'ws://x/').searchParams.get('access_token')).toBe(token);
      const scanId = page.url().split('/').at(-1) ?? '';
      expect(frames.map((f) => JSON.parse(f) as { scanId?: string })).toContainEqual(
        expect.objectContaining({ scanId }),
      );

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: slow });
      expect(entra.requests).toContain('GET /{tenant}/oauth2/v2.0/logout');
      expect(problems).toEqual([]);
      await context.close();
    },
  );
});
