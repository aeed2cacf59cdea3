import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import type { AppModule } from '../../src/http/app-types.js';
import { requirePrincipal } from '../../src/http/auth.js';
import { mintToken } from '../../src/platform/auth/mint-token.js';
import { errors } from '../../src/platform/errors/app-error.js';
import { buildTestApp, testJwtSecret } from '../helpers/test-app.js';

const probeModule: AppModule = async (app) => {
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 10 }),
          count: Type.Integer({ minimum: 0 }),
        }),
        response: { 201: Type.Object({ name: Type.String(), count: Type.Integer() }) },
      },
      config: { rateLimit: { max: 2, timeWindow: 60_000 } },
    },
    async (request, reply) => reply.code(201).send(request.body),
  );
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  app.get('/gone', () => {
    throw errors.notFound('Star 42 does not exist.');
  });
  app.get('/log', (request) => {
    request.log.info('inside the handler');
    return { ok: true };
  });
  app.get('/me', { preHandler: requirePrincipal() }, (request) => ({ principal: request.principal }));
  app.get('/admin', { preHandler: requirePrincipal({ role: 'admin' }) }, () => ({ ok: true }));
};

describe('the HTTP foundation', () => {
  describe('health', () => {
    it('serves liveness, readiness and its alias, and /health with each dependency and driver', async () => {
      const { app, deps } = await buildTestApp();
      deps.health.register({
        name: 'database',
        driver: 'pglite',
        required: true,
        check: async () => ({ status: 'healthy' }),
      });
      deps.health.register({
        name: 'cache',
        driver: 'memory',
        required: false,
        check: async () => ({ status: 'healthy' }),
      });

      expect((await app.inject('/health/liveness')).json()).toEqual({ status: 'alive' });
      for (const url of ['/health/readiness', '/health/ready']) {
        const response = await app.inject(url);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({
          status: 'ready',
          dependencies: { database: { status: 'healthy' } },
        });
      }
      const health = await app.inject('/health');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'healthy',
        environment: 'test',
        dependencies: {
          database: { driver: 'pglite', required: true },
          cache: { driver: 'memory', required: false },
        },
      });
    });

    it('degraded is 200, unhealthy is 503 and not ready', async () => {
      const { app, deps } = await buildTestApp();
      let dbUp = true;
      deps.health.register({
        name: 'cache',
        driver: 'redis',
        required: false,
        check: () => Promise.reject(new Error('down')),
      });
      deps.health.register({
        name: 'database',
        driver: 'pg',
        required: true,
        check: async () =>
          dbUp ? { status: 'healthy' } : { status: 'unhealthy', error: 'connection refused' },
      });
      expect((await app.inject('/health')).json()).toMatchObject({ status: 'degraded' });
      expect((await app.inject('/health')).statusCode).toBe(200);
      expect((await app.inject('/health/ready')).statusCode).toBe(200);

      dbUp = false;
      const health = await app.inject('/health');
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'unhealthy',
        dependencies: { database: { error: 'connection refused' } },
      });
      expect((await app.inject('/health/ready')).json()).toMatchObject({ status: 'unavailable' });
      expect((await app.inject('/health/liveness')).statusCode).toBe(200);
    });

    it('readiness is 503 while starting and while draining', async () => {
      const { app, deps } = await buildTestApp({ ready: false });
      expect((await app.inject('/health/readiness')).json()).toEqual({
        status: 'starting',
        dependencies: {},
      });
      deps.lifecycle.markReady();
      expect((await app.inject('/health/readiness')).statusCode).toBe(200);
      await deps.lifecycle.drain();
      const draining = await app.inject('/health/readiness');
      expect(draining.statusCode).toBe(503);
      expect(draining.json()).toMatchObject({ status: 'draining' });
    });
  });

  it('exposes Prometheus metrics with the request histogram labelled by route template', async () => {
    const { app } = await buildTestApp({ modules: [probeModule] });
    await app.inject('/gone');
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/gone",status_code="404"\} 1/,
    );
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const { app } = await buildTestApp({ modules: [probeModule] });
    const document = (await app.inject('/openapi.json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/health/ready', '/things']),
    );
    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  describe('errors are problem+json with the correlation id', () => {
    it('for an unknown route', async () => {
      const { app } = await buildTestApp();
      const response = await app.inject({ url: '/nowhere?x=1', headers: { 'x-correlation-id': 'trace-me' } });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toEqual({
        type: 'urn:azimuth:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: 'No route for GET /nowhere.',
        instance: '/nowhere',
        correlationId: 'trace-me',
      });
    });

    it('for schema validation, naming the field', async () => {
      const { app } = await buildTestApp({ modules: [probeModule] });
      const response = await app.inject({ method: 'POST', url: '/things', payload: { name: '', count: 1 } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        status: 400,
        detail: expect.stringContaining('"name"'),
        errors: [{ in: 'body', path: '/name' }],
      });
    });

    it('for malformed JSON and oversized bodies', async () => {
      const { app } = await buildTestApp({ modules: [probeModule], env: { API_BODY_LIMIT_BYTES: '100' } });
      const bad = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toMatch(/problem\+json/);
      const big = await app.inject({
        method: 'POST',
        url: '/things',
        payload: { name: 'x', count: 1, pad: 'y'.repeat(200) },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ title: 'Payload Too Large' });
    });

    it('for catalogue errors thrown by handlers', async () => {
      const { app } = await buildTestApp({ modules: [probeModule] });
      expect((await app.inject('/gone')).json()).toMatchObject({
        status: 404,
        detail: 'Star 42 does not exist.',
      });
    });

    it('hides internal messages outside development, and logs them', async () => {
      const { app, logs } = await buildTestApp({ modules: [probeModule] });
      const response = await app.inject('/boom');
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ detail: 'An unexpected error occurred.' });
      expect(response.body).not.toContain('hunter2');
      expect(logs().some((line) => line.msg === 'request failed' && line.level === 'error')).toBe(true);
    });

    it('shows them in development', async () => {
      const { app } = await buildTestApp({
        modules: [probeModule],
        env: { ENVIRONMENT: 'development', LOG_LEVEL: 'silent' },
      });
      expect((await app.inject('/boom')).json()).toMatchObject({ detail: 'database password is hunter2' });
    });
  });

  describe('correlation ids and request logs', () => {
    it('echoes the caller’s id, or the traceparent’s trace id, or a new one', async () => {
      const { app } = await buildTestApp();
      expect(
        (await app.inject({ url: '/health/liveness', headers: { 'x-correlation-id': 'abc' } })).headers[
          'x-correlation-id'
        ],
      ).toBe('abc');
      const traced = await app.inject({
        url: '/health/liveness',
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(traced.headers['x-correlation-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect((await app.inject('/health/liveness')).headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('writes one line per request, and a handler’s own lines carry the same id', async () => {
      const { app, logs } = await buildTestApp({ modules: [probeModule] });
      await app.inject({
        url: '/log',
        headers: { 'x-correlation-id': 'req-7', authorization: 'Bearer secret-token' },
      });
      const lines = logs().filter((line) => line.correlationId === 'req-7');
      expect(lines.map((line) => line.msg)).toEqual(['inside the handler', 'request completed']);
      expect(lines[1]).toMatchObject({ method: 'GET', route: '/log', status: 200 });
      expect(typeof lines[1]?.durationMs).toBe('number');
      expect(JSON.stringify(logs())).not.toContain('secret-token');
    });
  });

  it('sets security headers and answers CORS for the configured origins only', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: '["https://console.example"]' } });
    const allowed = await app.inject({
      url: '/health/liveness',
      headers: { origin: 'https://console.example' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['strict-transport-security']).toBeDefined();
    const other = await app.inject({ url: '/health/liveness', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('a CORS preflight allows %s', async (method) => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: '["https://console.example"]' } });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/files/a.txt',
      headers: { origin: 'https://console.example', 'access-control-request-method': method },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain(method);
  });

  describe('rate limits', () => {
    it('applies the global ceiling with RateLimit headers, then 429 with Retry-After', async () => {
      const { app } = await buildTestApp({ env: { API_RATE_LIMIT_GLOBAL: '3' } });
      const first = await app.inject('/');
      expect(first.headers['ratelimit-limit']).toBe('3');
      expect(first.headers['ratelimit-remaining']).toBe('2');
      await app.inject('/');
      await app.inject('/');
      const limited = await app.inject('/');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toMatch(/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Probes are never throttled.
      expect((await app.inject('/health/liveness')).statusCode).toBe(200);
    });

    it('limits requests for unknown URLs too', async () => {
      const { app } = await buildTestApp({ env: { API_RATE_LIMIT_GLOBAL: '2' } });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.inject(`/no-such-${i}`)).statusCode);
      expect(statuses).toEqual([404, 404, 429]);
    });

    it('applies a module’s per-route limit', async () => {
      const { app } = await buildTestApp({ modules: [probeModule] });
      const post = () => app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: 1 } });
      expect((await post()).statusCode).toBe(201);
      expect((await post()).statusCode).toBe(201);
      expect((await post()).statusCode).toBe(429);
    });
  });

  describe('auth', () => {
    it('with AUTH_MODE=none nobody is identified and protected routes are open', async () => {
      const { app } = await buildTestApp({ modules: [probeModule] });
      expect((await app.inject('/me')).json()).toEqual({ principal: null });
      expect((await app.inject('/admin')).statusCode).toBe(200);
    });

    it('with AUTH_MODE=jwt verifies bearer tokens and enforces roles', async () => {
      const { app } = await buildTestApp({
        modules: [probeModule],
        env: { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret },
      });
      const user = await mintToken({ secret: testJwtSecret, subject: 'user-1' });
      const admin = await mintToken({ secret: testJwtSecret, subject: 'admin-1', roles: ['admin'] });
      const forged = await mintToken({
        secret: 'another-secret-that-is-32-characters!!',
        subject: 'admin-1',
        roles: ['admin'],
      });
      const expired = await mintToken({ secret: testJwtSecret, subject: 'user-1', expiresIn: '-1h' });
      const get = (url: string, token?: string) =>
        app.inject({ url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

      expect((await get('/me')).statusCode).toBe(401);
      expect((await get('/me', user)).json()).toEqual({ principal: { id: 'user-1', roles: [] } });
      expect((await get('/admin', user)).statusCode).toBe(403);
      expect((await get('/admin', admin)).statusCode).toBe(200);
      // A bad token is refused outright, even where no caller is needed…
      const refused = await get('/log', forged);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect((await get('/no-such-route', forged)).statusCode).toBe(401);
      // …except on probes, which read no caller at all (health-routes.ts: `anonymous`).
      expect((await get('/health/liveness', forged)).statusCode).toBe(200);
      expect((await get('/me', expired)).json()).toMatchObject({
        status: 401,
        detail: expect.stringContaining('ERR_JWT_EXPIRED'),
      });
      expect((await app.inject({ url: '/me', headers: { authorization: 'Basic abc' } })).statusCode).toBe(
        401,
      );
    });
  });
});
