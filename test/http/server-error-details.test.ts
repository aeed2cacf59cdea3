// 5xx responses outside development carry neither stack traces nor what a driver said: the detail
// stays in the log, the client gets the problem's title and the correlation id.
import { describe, expect, it } from 'vitest';
import type { AppModule } from '../../src/http/app-types.js';
import { DependencyUnavailableError } from '../../src/platform/resilience/dependency-error.js';
import { buildTestApp, testJwtSecret } from '../helpers/test-app.js';

const driverMessage = 'password authentication failed for user "app" at 10.1.2.3:5432';

const driverError = () => Object.assign(new Error(driverMessage), { code: '28P01' });

const faultyModule: AppModule = async (app) => {
  app.get('/driver', () => {
    throw driverError();
  });
  // A plugin's or driver's error that names a 5xx status itself.
  app.get('/status-503', () => {
    throw Object.assign(new Error(driverMessage), { statusCode: 503 });
  });
  app.get('/outage', () => {
    throw new DependencyUnavailableError({
      dependency: 'database',
      retryAfterSeconds: 5,
      cause: driverError(),
    });
  });
  app.get('/async', async () => {
    await Promise.resolve();
    throw new TypeError(`Cannot read properties of undefined (reading '${driverMessage}')`);
  });
};

describe.each(['test', 'staging', 'production'])('5xx bodies in %s', (environment) => {
  it.each(['/driver', '/status-503', '/outage', '/async'])('%s: no stack, no driver message', async (url) => {
    const { app } = await buildTestApp({
      modules: [faultyModule],
      env: {
        ENVIRONMENT: environment,
        LOG_LEVEL: 'silent',
        AUTH_MODE: 'jwt',
        AUTH_JWT_SECRET: testJwtSecret,
      },
    });
    const response = await app.inject(url);
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<Record<string, unknown>>();
    expect(body.correlationId).toEqual(expect.any(String));
    expect(response.body).not.toContain('password authentication');
    expect(response.body).not.toContain('10.1.2.3');
    expect(response.body).not.toMatch(/\bat .+:\d+:\d+|\.ts:\d+|node:internal|Error:/);
    expect(Object.keys(body).sort()).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'correlationId', 'instance']),
    );
    expect(body).not.toHaveProperty('stack');
    expect(body).not.toHaveProperty('cause');
  });
});
