// The console plugin: hashed assets immutable, index.html uncached, SPA fallback on the console's
// own paths only (API 404s stay problem+json), `/` still JSON for API clients, and a page CSP
// that allows nothing inline while API answers keep `default-src 'none'`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, testJwtSecret, type TestApp } from '../helpers/test-app.js';

const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the web console at /', () => {
  let root: string;
  let test: TestApp;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'azimuth-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'export {};');
    test = await buildTestApp({ console: { root, mediaOrigins: ['http://localhost:8080'] } });
  });
  afterAll(async () => {
    await test.app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('when a browser opens / or a console page, then it gets index.html, uncached, with the page CSP', async () => {
    for (const url of ['/', '/sky', '/recordings/0b7c1f0e-1111-4111-8111-111111111111', '/operations']) {
      const response = await test.app.inject({ url, headers: html });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>console</title>');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('media-src');
      expect(csp).toContain('http://localhost:8080');
    }
  });

  it('when an API client asks for /, then it still gets the service description as JSON', async () => {
    const response = await test.app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(response.json()).toMatchObject({ docs: '/docs', health: '/health' });
    expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('when a hashed asset is read, then it is cached for a year as immutable', async () => {
    const response = await test.app.inject({ url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('when a path is not the console’s, then it is a problem+json 404 even for a browser', async () => {
    for (const url of ['/nope', '/assets/missing.js', '/api/nothing-here', '/skyline']) {
      const response = await test.app.inject({ url, headers: html });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
    }
  });

  it('when the console asks for its settings, then it learns the auth mode and version', async () => {
    const response = await test.app.inject({ url: '/console/config' });
    expect(response.json()).toEqual({ authMode: 'none', version: '0.1.0', environment: 'test', entra: null });
  });

  it('when the API takes tokens, then the console learns where and how to sign in', async () => {
    const entra = {
      clientId: '6f1c2b3a-0000-4000-8000-000000000001',
      authority: 'https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555',
      scope: 'api://azimuth/access_as_user',
    };
    const env = { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: testJwtSecret };
    const jwt = await buildTestApp({ env, console: { root, entra } });
    expect((await jwt.app.inject({ url: '/console/config' })).json()).toMatchObject({
      authMode: 'jwt',
      entra,
    });
    await jwt.app.close();
  });

  it('when the console is not built, then the API still starts, answers /console/config and logs how to build it', async () => {
    const unbuilt = await buildTestApp({ console: { root: join(root, 'missing') } });
    expect((await unbuilt.app.inject({ url: '/sky', headers: html })).statusCode).toBe(404);
    expect((await unbuilt.app.inject({ url: '/console/config' })).statusCode).toBe(200);
    expect(unbuilt.logs().some((line) => String(line.msg).includes('npm run build:web'))).toBe(true);
    await unbuilt.app.close();
  });
});
