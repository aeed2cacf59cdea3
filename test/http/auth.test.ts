// Bearer tokens with AUTH_MODE=jwt: where a query-string token counts (only where a browser cannot
// send a header), and which tokens are refused (no `exp`, a development token past its cap).
import { SignJWT } from 'jose';
import Type from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppModule } from '../../src/http/app-types.js';
import { requirePrincipal } from '../../src/http/auth.js';
import { devTokenMaxLifetimeSeconds, mintToken } from '../../src/platform/auth/mint-token.js';
import { openRawStream } from '../modules/stars/helpers/raw-stream.js';
import { pgliteFixture } from '../modules/stars/helpers/store-fixtures.js';
import { buildTestApp, testJwtSecret, type TestAppFor } from '../helpers/test-app.js';

const jwtEnv = { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret, LOG_LEVEL: 'silent' };
const fixture = pgliteFixture();

/** A route that declares `access_token` in its query schema, as the WebSocket route does. */
const socketLikeRoute: AppModule = async (app) => {
  app.get(
    '/socket-like',
    {
      preHandler: requirePrincipal(),
      schema: { querystring: Type.Object({ access_token: Type.Optional(Type.String()) }) },
    },
    (request) => ({ principal: request.principal?.id }),
  );
};

let t: TestAppFor<{ modules: ['stars'] }> | undefined;
beforeAll(() => fixture.start());
afterAll(() => fixture.stop());
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function build() {
  t = await buildTestApp({
    modules: ['stars', socketLikeRoute],
    stars: { store: await fixture.make() },
    env: jwtEnv,
  });
  return t;
}

const sign = (claims: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt) =>
  edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('ada')).sign(
    new TextEncoder().encode(testJwtSecret),
  );

describe('a token in the query string', () => {
  it('when it is sent to an ordinary route, then it identifies nobody and nothing changes', async () => {
    const { app } = await build();
    const token = await mintToken({ secret: testJwtSecret, subject: 'ada' });
    const star = { name: 'Vega', ra: 1, dec: 2 };

    const refused = await app.inject({ method: 'POST', url: `/stars?access_token=${token}`, payload: star });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(
      (await app.inject({ url: `/stars?access_token=${token}` })).json<{ items: unknown[] }>().items,
    ).toHaveLength(0);

    const headers = { authorization: `Bearer ${token}` };
    expect(
      (await app.inject({ method: 'POST', url: '/users', headers, payload: { name: 'Ada' } })).statusCode,
    ).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/stars', headers, payload: star })).statusCode).toBe(
      201,
    );
  });

  it('when the route is a WebSocket-style route declaring access_token, then it is verified and used', async () => {
    const { app } = await build();
    const token = await mintToken({ secret: testJwtSecret, subject: 'ada' });
    const forged = await mintToken({ secret: 'another-secret-that-is-32-characters!!', subject: 'ada' });
    expect((await app.inject({ url: `/socket-like?access_token=${token}` })).json()).toEqual({
      principal: 'ada',
    });
    expect((await app.inject({ url: `/socket-like?access_token=${forged}` })).statusCode).toBe(401);
  });

  it('when the route is an event stream, then it is verified and used (EventSource sends no headers)', async () => {
    const { app } = await build();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const forged = await mintToken({ secret: 'another-secret-that-is-32-characters!!', subject: 'ada' });
    const refused = await fetch(`${base}/events/stars/stream?access_token=${forged}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');

    const token = await mintToken({ secret: testJwtSecret, subject: 'ada' });
    const stream = await openRawStream(`${base}/events/stars/stream?access_token=${token}`);
    expect(stream.response.statusCode).toBe(200);
    await stream.until((text) => text.includes(': connected'));
    stream.close();
  });
});

describe('which tokens are refused', () => {
  it('when a token has no exp, then it is a 401 problem naming the claim', async () => {
    const { app } = await build();
    const endless = await sign({ roles: [] }, (jwt) => jwt.setIssuedAt());
    const response = await app.inject({
      url: '/socket-like',
      headers: { authorization: `Bearer ${endless}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ detail: expect.stringContaining('(exp)') });
  });

  it('when a shared-secret token was issued longer ago than the cap, then it is refused though unexpired', async () => {
    const { app } = await build();
    const now = Math.floor(Date.now() / 1000);
    const stale = await sign({}, (jwt) =>
      jwt.setIssuedAt(now - devTokenMaxLifetimeSeconds - 120).setExpirationTime(now + 3600),
    );
    const undated = await sign({}, (jwt) => jwt.setExpirationTime(now + 3600));
    const fresh = await sign({}, (jwt) => jwt.setIssuedAt(now).setExpirationTime(now + 3600));
    const get = (token: string) =>
      app.inject({ url: '/socket-like', headers: { authorization: `Bearer ${token}` } });
    expect((await get(stale)).statusCode).toBe(401);
    expect((await get(undated)).statusCode).toBe(401);
    expect((await get(fresh)).json()).toEqual({ principal: 'ada' });
  });

  it('when a development token is minted for longer than the cap, then minting refuses', async () => {
    await expect(mintToken({ secret: testJwtSecret, subject: 'ada', expiresIn: '25h' })).rejects.toThrow(
      /at most 24 h/,
    );
    await expect(mintToken({ secret: testJwtSecret, subject: 'ada', expiresIn: '24h' })).resolves.toMatch(
      /^ey/,
    );
  });
});
