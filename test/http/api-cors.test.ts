// CORS as browsers meet it: the configured origins reflected (any origin with "*"), the headers
// scripts may read, Vary: Origin on every answer, and preflights for every method the API takes.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/test-app.js';

const console_ = 'https://console.example';
const exposed =
  'x-correlation-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after, etag, content-range, location';

describe('CORS', () => {
  it('when the origin is configured, then it is reflected with the readable headers, without credentials', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: `["${console_}"]` } });
    const response = await app.inject({ url: '/health/liveness', headers: { origin: console_ } });
    expect(response.headers['access-control-allow-origin']).toBe(console_);
    expect(response.headers['access-control-expose-headers']).toBe(exposed);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toBe('Origin');
  });

  it('when the origin is not configured or absent, then no origin is allowed, and caches still vary by it', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: `["${console_}"]` } });
    for (const headers of [{ origin: 'https://evil.example' }, {}]) {
      const response = await app.inject({ url: '/health/liveness', headers });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers.vary).toBe('Origin');
    }
  });

  it('when the origins are "*", then any origin is reflected', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: '["*"]' } });
    const response = await app.inject({
      url: '/health/liveness',
      headers: { origin: 'https://any.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('https://any.example');
  });

  it('when a preflight asks for headers, then it answers 204 with the methods and those headers', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: `["${console_}"]` } });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/health/liveness',
      headers: {
        origin: console_,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['content-length']).toBe('0');
    expect(preflight.headers['access-control-allow-origin']).toBe(console_);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(preflight.headers.vary).toBe('Origin, Access-Control-Request-Headers');
    expect(preflight.headers['x-content-type-options']).toBe('nosniff');
  });

  it('when a preflight is for a path no route has, then it is answered all the same', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: `["${console_}"]` } });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/no/such/route',
      headers: { origin: console_, 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('DELETE');
    expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('when an OPTIONS request names no method to ask for, then it is refused as an invalid preflight', async () => {
    const { app } = await buildTestApp({ env: { API_CORS_ORIGINS: `["${console_}"]` } });
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/health/liveness',
      headers: { origin: console_ },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe('Invalid Preflight Request');
  });
});
