// The authorization matrix (OWASP API1, API3, API5), driven by the OpenAPI document: the whole
// app as the roles compose it (AUTH_MODE=jwt), two users (Ada owns everything, Bob tries) and an
// admin. Every operation needs an entry below, so a new route without one fails. For each refusal:
// the expected status (404 for someone else's object, 403 where a role or an admin-only parameter
// is needed, 401 without a token), nothing changed, and an audit entry with outcome `denied`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/app-types.js';
import { principalUserId } from '../../src/modules/stars/principal-user-id.js';
import { mintToken } from '../../src/platform/auth/mint-token.js';
import { createModules, type Modules } from '../../src/roles/modules.js';
import { createPlatform, type Platform } from '../../src/roles/platform.js';
import { appDeps } from '../../src/roles/serve.js';
import { toneWav } from '../console/tone-wav.js';
import { multipartBody, multipartHeaders } from '../helpers/multipart.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { testJwtSecret } from '../helpers/test-app.js';
import { testSettings } from '../helpers/test-settings.js';
import { connect } from '../modules/recordings/recordings-fixture.js';

type Headers = Record<string, string>;

/** What Ada owns, made before the matrix runs. */
interface Objects {
  ada: string;
  adaUser: string;
  star: string;
  recording: string;
  scan: string;
  share: string;
  revokedToken: string;
  /** A signed read link to Ada's file, as path and query. */
  link: { path: string; search: string };
}

interface Refusal {
  as: 'bob' | 'anonymous';
  status: 401 | 403 | 404 | 410;
  request(o: Objects): InjectOptions;
}

/**
 * `refuse`: what Bob (or nobody) trying another's object gets. `public`: the route takes an id, but
 * what it shows is public by design (and `check` proves what stays hidden). `none`: it takes no id
 * or name of anyone else's (its own collection, a probe, a creation as the caller).
 */
type Entry =
  | { refuse: Refusal[] }
  | { public: string; check?: (o: Objects) => Promise<void> }
  | { none: string; check?: (o: Objects) => Promise<void> };

let app: App;
let platform: Platform;
let modules: Modules;
let url: string;
let settings: Awaited<ReturnType<typeof testSettings>>;
let ada: { authorization: string };
let bob: { authorization: string };
let admin: { authorization: string };
let objects: Objects;

const bearer = async (subject: string, roles: string[] = []) => ({
  authorization: `Bearer ${await mintToken({ secret: testJwtSecret, subject, roles })}`,
});
const inject = (options: InjectOptions) => app.inject(options);
const json = async <T = Record<string, unknown>>(options: InjectOptions & { url: string }): Promise<T> => {
  const response = await inject(options);
  expect(response.statusCode, `${options.method ?? 'GET'} ${options.url}: ${response.body}`).toBeLessThan(
    300,
  );
  return response.json<T>();
};
const ownerIs = (o: Objects) => `owner=${encodeURIComponent(o.ada)}`;
const fileUpload = (query: string): InjectOptions => ({
  method: 'POST',
  url: `/api/files${query}`,
  headers: multipartHeaders,
  payload: multipartBody({ fields: { name: 'planted.txt' }, data: Buffer.from('x') }),
});

const byBob = (status: Refusal['status'], request: Refusal['request']): Refusal => ({
  as: 'bob',
  status,
  request,
});
const bobGets404 = (method: InjectOptions['method'], path: (o: Objects) => string, payload?: object) =>
  byBob(404, (o) => ({ method, url: path(o), ...(payload === undefined ? {} : { payload }) }));
const adminOnly = (method: InjectOptions['method'], path: string): Entry => ({
  refuse: [byBob(403, () => ({ method, url: path }))],
});

const matrix: Record<string, Entry> = {
  // The platform's own surface: nothing of anyone's.
  'GET /': { none: 'describes the service' },
  'GET /health': { none: 'probe' },
  'GET /health/liveness': { none: 'probe' },
  'GET /health/readiness': { none: 'probe' },
  'GET /health/ready': { none: 'probe' },
  'GET /health/azure-storage': { none: 'probe' },
  'GET /metrics': { none: 'Prometheus metrics, no user data' },
  'GET /metrics/summary': { none: 'aggregate figures, no user data' },
  'GET /console/config': { none: 'auth mode and version' },
  'GET /admin/audit-log': adminOnly('GET', '/admin/audit-log?limit=5'),

  // Files: names are the caller's own; another owner can be named by admins only.
  'POST /api/files': { refuse: [byBob(403, (o) => fileUpload(`?${ownerIs(o)}`))] },
  'GET /api/files': { refuse: [byBob(403, (o) => ({ url: `/api/files?${ownerIs(o)}` }))] },
  'POST /api/files/sas': {
    refuse: [
      byBob(403, (o) => ({
        method: 'POST',
        url: '/api/files/sas',
        payload: { name: 'secret.txt', owner: o.ada, permissions: 'r' },
      })),
      byBob(403, (o) => ({
        method: 'POST',
        url: '/api/files/sas',
        payload: { names: ['secret.txt'], owner: o.ada, permissions: 'rwd' },
      })),
    ],
  },
  'GET /api/files/{*}': {
    refuse: [
      byBob(403, (o) => ({ url: `/api/files/secret.txt?${ownerIs(o)}` })),
      // Ada's link, pointed at another of her blobs.
      byBob(403, (o) => ({ url: `${o.link.path.replace('secret.txt', 'other.txt')}${o.link.search}` })),
    ],
  },
  'PUT /api/files/{*}': {
    refuse: [
      byBob(403, (o) => ({
        method: 'PUT',
        url: `/api/files/secret.txt?${ownerIs(o)}`,
        headers: { 'content-type': 'text/plain' },
        payload: 'overwritten',
      })),
    ],
  },
  'DELETE /api/files/{*}': {
    refuse: [
      byBob(403, (o) => ({ method: 'DELETE', url: `/api/files/secret.txt?${ownerIs(o)}` })),
      // Ada's read-and-delete link, pointed at another of her blobs.
      byBob(403, (o) => ({
        method: 'DELETE',
        url: `${o.link.path.replace('secret.txt', 'other.txt')}${o.link.search}`,
      })),
    ],
  },

  // The star map: stars are public to read; writes act as the caller only.
  'GET /stars': { none: 'the public star map' },
  'GET /stars/active': { none: 'the public star map' },
  'GET /stars/popular': { none: 'the public star map' },
  'GET /stars/{star_id}': { public: 'stars are public to read (seed 003)' },
  'POST /stars': {
    refuse: [
      byBob(403, (o) => ({
        method: 'POST',
        url: '/stars',
        payload: { userId: o.adaUser, name: 'x', ra: 1, dec: 1 },
      })),
    ],
  },
  'DELETE /stars/{star_id}': { refuse: [byBob(403, (o) => ({ method: 'DELETE', url: `/stars/${o.star}` }))] },
  'POST /stars/{star_id}/like': {
    refuse: [
      byBob(403, (o) => ({ method: 'POST', url: `/stars/${o.star}/like`, payload: { userId: o.adaUser } })),
    ],
  },
  'GET /users': {
    none: 'everyone’s names, emails only of the caller’s own user',
    async check(o) {
      const page = await json<{ items: Record<string, unknown>[] }>({ url: '/users', headers: bob });
      const adaSeen = page.items.find((user) => user.id === o.adaUser);
      expect(adaSeen).toBeDefined();
      expect(adaSeen).not.toHaveProperty('email');
    },
  },
  'POST /users': { none: 'creates the caller’s own user, its id derived from the token' },
  'GET /users/{user_id}': {
    public: 'a user’s name is public to signed-in callers; the email is not (API3)',
    async check(o) {
      expect(await json({ url: `/users/${o.adaUser}`, headers: bob })).not.toHaveProperty('email');
    },
  },
  'PUT /users/{user_id}': {
    refuse: [byBob(403, (o) => ({ method: 'PUT', url: `/users/${o.adaUser}`, payload: { name: 'Eve' } }))],
  },
  'DELETE /users/{user_id}': {
    refuse: [byBob(403, (o) => ({ method: 'DELETE', url: `/users/${o.adaUser}` }))],
  },
  'GET /users/{user_id}/stars': { public: 'stars are public to read (seed 003)' },
  'GET /events/stars/stream': { none: 'public like the stars it carries' },
  'GET /events/users/stream': {
    refuse: [
      { as: 'anonymous', status: 401, request: () => ({ url: '/events/users/stream?lastEventId=0-0' }) },
    ],
  },
  'POST /admin/stars/cache/flush': adminOnly('POST', '/admin/stars/cache/flush'),
  'GET /admin/stars/stats': adminOnly('GET', '/admin/stars/stats'),
  'POST /admin/stars/popularity/recompute': adminOnly('POST', '/admin/stars/popularity/recompute'),
  'GET /debug/table-info': adminOnly('GET', '/debug/table-info'),
  'GET /debug/active-stars': adminOnly('GET', '/debug/active-stars'),
  'POST /debug/add-test-star': adminOnly('POST', '/debug/add-test-star'),

  // Recordings: the caller's own; another's is 404.
  'POST /api/process-audio': { none: 'the recording is the caller’s (no owner can be named)' },
  'GET /api/recordings': {
    none: 'the caller’s own recordings',
    async check(o) {
      const page = await json<{ items: { id: string }[] }>({ url: '/api/recordings', headers: bob });
      expect(page.items.map((item) => item.id)).not.toContain(o.recording);
    },
  },
  'GET /api/recordings/{id}': { refuse: [bobGets404('GET', (o) => `/api/recordings/${o.recording}`)] },
  'DELETE /api/recordings/{id}': { refuse: [bobGets404('DELETE', (o) => `/api/recordings/${o.recording}`)] },
  'POST /api/recordings/{id}/retry': {
    refuse: [bobGets404('POST', (o) => `/api/recordings/${o.recording}/retry`)],
  },

  // Scans and their shares: the caller's own; another's is 404. Share links are public capabilities.
  'POST /api/scans': { none: 'the scan is the caller’s (no owner can be named)' },
  'GET /api/scans': {
    none: 'the caller’s own scans',
    async check(o) {
      const page = await json<{ items: { id: string }[] }>({ url: '/api/scans', headers: bob });
      expect(page.items.map((item) => item.id)).not.toContain(o.scan);
    },
  },
  'GET /api/scans/{id}': { refuse: [bobGets404('GET', (o) => `/api/scans/${o.scan}`)] },
  'DELETE /api/scans/{id}': { refuse: [bobGets404('DELETE', (o) => `/api/scans/${o.scan}`)] },
  'GET /api/scans/{id}/report.json': {
    refuse: [bobGets404('GET', (o) => `/api/scans/${o.scan}/report.json`)],
  },
  'GET /api/scans/{id}/report.html': {
    refuse: [bobGets404('GET', (o) => `/api/scans/${o.scan}/report.html`)],
  },
  'GET /api/scans/{id}/report.pdf': { refuse: [bobGets404('GET', (o) => `/api/scans/${o.scan}/report.pdf`)] },
  'POST /api/scans/{id}/retry': { refuse: [bobGets404('POST', (o) => `/api/scans/${o.scan}/retry`)] },
  'POST /api/scans/{id}/shares': {
    refuse: [bobGets404('POST', (o) => `/api/scans/${o.scan}/shares`, { expiresInHours: 1 })],
  },
  'GET /api/scans/{id}/shares': { refuse: [bobGets404('GET', (o) => `/api/scans/${o.scan}/shares`)] },
  'DELETE /api/scans/{id}/shares/{shareId}': {
    refuse: [bobGets404('DELETE', (o) => `/api/scans/${o.scan}/shares/${o.share}`)],
  },
  'GET /s/{token}': {
    refuse: [{ as: 'anonymous', status: 410, request: (o) => ({ url: `/s/${o.revokedToken}` }) }],
  },
  'GET /s/{token}/report.pdf': {
    refuse: [{ as: 'anonymous', status: 410, request: (o) => ({ url: `/s/${o.revokedToken}/report.pdf` }) }],
  },
};

/** Every operation of the OpenAPI document, as `METHOD /path`. */
function operations(): string[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** JSON without read links: they are minted afresh (with a new expiry) on every read. */
const stable = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === 'links' || (typeof v === 'string' && /^https?:\/\//.test(v)) ? '<link>' : v,
    ),
  );

/** What Bob could have changed: Ada's objects as she (or an admin) reads them, and every blob. */
async function state(o: Objects): Promise<unknown> {
  const blobs = await Promise.all(
    [settings.AZURE_STORAGE_CONTAINER, settings.RECORDINGS_CONTAINER, settings.SCANS_CONTAINER].map(
      async (c) =>
        (await platform.blobs.store.list(c, { pageSize: 1000 })).items.map(
          (item) => `${item.name} ${item.etag}`,
        ),
    ),
  );
  const reads = await Promise.all(
    [
      { url: `/api/recordings/${o.recording}`, headers: ada },
      { url: `/api/scans/${o.scan}`, headers: ada },
      { url: `/api/scans/${o.scan}/shares`, headers: ada },
      { url: `/api/files?${ownerIs(o)}`, headers: admin },
      { url: `/stars/${o.star}` },
      { url: '/users', headers: admin },
      { url: '/stars?limit=100' },
    ].map((request) => json(request)),
  );
  return stable({ blobs, reads });
}

/** Polls Ada's view of a job until it is in one of `done` (beforeAll cannot use expect.poll). */
async function waitForStatus(path: string, done: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { status } = await json<{ status: string }>({ url: path, headers: ada });
    if (done.includes(status)) return;
    if (Date.now() > deadline) throw new Error(`${path} is still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function adasObjects(): Promise<Objects> {
  const adaUser = (
    await json<{ id: string }>({
      method: 'POST',
      url: '/users',
      headers: ada,
      payload: { name: 'Ada', email: 'ada@example.com' },
    })
  ).id;
  await json({
    method: 'POST',
    url: '/users',
    headers: bob,
    payload: { name: 'Bob', email: 'bob@example.com' },
  });
  const star = (
    await json<{ id: string }>({
      method: 'POST',
      url: '/stars',
      headers: ada,
      payload: { name: 'Vega', ra: 1, dec: 2 },
    })
  ).id;
  for (const name of ['secret.txt', 'other.txt'])
    await json({
      method: 'PUT',
      url: `/api/files/${name}`,
      headers: { ...ada, 'content-type': 'text/plain' },
      payload: name,
    });
  const issued = await json<{ url: string }>({
    method: 'POST',
    url: '/api/files/sas',
    headers: ada,
    payload: { name: 'secret.txt', permissions: 'rd' },
  });
  const link = new URL(issued.url);
  const recording = (
    await json<{ id: string }>({
      method: 'POST',
      url: '/api/process-audio',
      headers: { ...ada, ...multipartHeaders },
      payload: multipartBody({
        data: toneWav({ seconds: 1 }),
        filename: 'call.wav',
        contentType: 'audio/wav',
      }),
    })
  ).id;
  const form = new FormData();
  const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  form.append('image', new Blob([photo], { type: 'image/png' }), 'photo.png');
  const posted = await fetch(`${url}/api/scans`, { method: 'POST', body: form, headers: ada });
  expect(posted.status).toBe(202);
  const scan = ((await posted.json()) as { id: string }).id;
  await waitForStatus(`/api/recordings/${recording}`, ['completed', 'failed']);
  await waitForStatus(`/api/scans/${scan}`, ['completed']);
  const share = await json<{ id: string }>({
    method: 'POST',
    url: `/api/scans/${scan}/shares`,
    headers: ada,
    payload: { expiresInHours: 1 },
  });
  const revoked = await json<{ id: string; url: string }>({
    method: 'POST',
    url: `/api/scans/${scan}/shares`,
    headers: ada,
    payload: { expiresInHours: 1 },
  });
  expect(
    (await inject({ method: 'DELETE', url: `/api/scans/${scan}/shares/${revoked.id}`, headers: ada }))
      .statusCode,
  ).toBe(204);
  return {
    ada: 'ada',
    adaUser,
    star,
    recording,
    scan,
    share: share.id,
    revokedToken: new URL(revoked.url).pathname.split('/').pop() ?? '',
    link: { path: link.pathname, search: link.search },
  };
}

beforeAll(async () => {
  settings = await testSettings({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-matrix-')),
    AUTH_MODE: 'jwt',
    AUTH_JWT_SECRET: testJwtSecret,
    DEBUG: 'true',
    LOG_LEVEL: 'silent',
    API_RATE_LIMIT_TIMES: '100000',
    API_RATE_LIMIT_GLOBAL: '100000',
    RECORDINGS_JOB_ATTEMPTS: '1',
    SCANS_JOB_ATTEMPTS: '1',
  });
  platform = await createPlatform(settings, silentLogger(), 'all');
  modules = await createModules(platform, { settings, processJobs: true });
  app = await buildApp(appDeps(platform, modules.routes));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  platform.lifecycle.markReady();
  [ada, bob, admin] = await Promise.all([bearer('ada'), bearer('bob'), bearer('root', ['admin'])]);
  objects = await adasObjects();
}, 120_000);

afterAll(async () => {
  await app.close();
  await modules.stopWorkers();
  await modules.close();
  await platform.close();
});

describe('the authorization matrix (AUTH_MODE=jwt)', () => {
  it('when the OpenAPI document is read, then every operation has an entry, and every entry an operation', () => {
    const documented = operations();
    expect(documented.filter((operation) => !(operation in matrix))).toEqual([]);
    expect(Object.keys(matrix).filter((operation) => !documented.includes(operation))).toEqual([]);
  });

  it('when an operation takes an id or is an admin or debug route, then its entry refuses others or says why it is public', () => {
    for (const [operation, entry] of Object.entries(matrix)) {
      const path = operation.split(' ')[1] ?? '';
      if (/^\/(admin|debug)\//.test(path)) {
        expect(
          'refuse' in entry && entry.refuse.every((r) => r.as === 'bob' && r.status === 403),
          operation,
        ).toBe(true);
      } else if (path.includes('{')) expect('none' in entry, operation).toBe(false);
    }
  });

  const refusals = Object.entries(matrix).flatMap(([operation, entry]) =>
    'refuse' in entry ? entry.refuse.map((refusal, i) => ({ operation, refusal, i })) : [],
  );

  it.each(refusals)(
    '$operation (#$i): refused with the expected status, nothing changes, the refusal is audited',
    async ({ operation, refusal, i }) => {
      const before = await state(objects);
      const request = refusal.request(objects);
      const correlationId = `matrix-${operation.replace(/[^a-z0-9]+/gi, '-')}-${i}`.slice(0, 60);
      const response = await inject({
        ...request,
        headers: {
          ...(refusal.as === 'bob' ? bob : {}),
          ...(request.headers as Headers | undefined),
          'x-correlation-id': correlationId,
        },
      });
      expect(response.statusCode, response.body).toBe(refusal.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(await state(objects)).toEqual(before);
      const audited = await platform.audit.latest(20);
      expect(audited.find((entry) => entry.correlationId === correlationId)).toMatchObject({
        outcome: 'denied',
        actor: refusal.as === 'bob' ? 'bob' : null,
      });
    },
  );

  const checks = Object.entries(matrix).flatMap(([operation, entry]) =>
    'refuse' in entry || entry.check === undefined ? [] : [{ operation, check: entry.check }],
  );

  it.each(checks)(
    '$operation: what Bob sees of Ada’s is only what is meant to be seen',
    async ({ check }) => {
      await check(objects);
    },
  );

  it('when Bob subscribes to Ada’s recording or scan on /ws, then “not found”, nothing changes, and it is audited', async () => {
    const before = await state(objects);
    const socket = await connect({ url }, `?access_token=${bob.authorization.slice('Bearer '.length)}`);
    try {
      socket.send({ type: 'subscribe', recordingId: objects.recording });
      socket.send({ type: 'subscribe', scanId: objects.scan });
      await expect.poll(() => socket.messages.length).toBe(2);
      expect(socket.messages).toEqual(
        expect.arrayContaining([
          { type: 'error', recordingId: objects.recording, error: 'Recording not found.' },
          { type: 'error', scanId: objects.scan, error: 'Scan not found.' },
        ]),
      );
    } finally {
      await socket.close();
    }
    expect(await state(objects)).toEqual(before);
    const refused = (await platform.audit.latest(20)).filter(
      (entry) => entry.operation === 'ws.subscribe' && entry.actor === 'bob',
    );
    expect(refused.map((entry) => entry.outcome)).toEqual(['denied', 'denied']);
    // Ada herself is answered with the state.
    const own = await connect({ url }, `?access_token=${ada.authorization.slice('Bearer '.length)}`);
    try {
      own.send({ type: 'subscribe', recordingId: objects.recording });
      await expect.poll(() => own.messages[0]).toMatchObject({ recordingId: objects.recording });
      expect(own.messages[0]).not.toHaveProperty('error');
    } finally {
      await own.close();
    }
  });

  it('when an admin reads Ada’s scan, file and user, then each is reached (the refusals above are about who asks)', async () => {
    expect((await inject({ url: `/api/scans/${objects.scan}`, headers: admin })).statusCode).toBe(200);
    expect((await inject({ url: `/api/files/secret.txt?${ownerIs(objects)}`, headers: admin })).body).toBe(
      'secret.txt',
    );
    expect((await inject({ url: `/users/${principalUserId('ada')}`, headers: admin })).json()).toMatchObject({
      email: 'ada@example.com',
    });
  });
});
