// Seed 004's sampling, end to end: the real app in a child process, its telemetry sent to the
// local ingestion stand-in, APPLICATIONINSIGHTS_TRACES_PER_SECOND=5. Many fast requests in → about
// five request traces a second out; every failed request and every exception still arrives.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  startIngestionStandIn,
  type Envelope,
  type IngestionStandIn,
} from '../../helpers/ingestion-stand-in.js';
import { freePort } from '../../helpers/ports.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { spawnTs, type Spawned } from '../../helpers/processes.js';
import { available } from '../../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

const tracesPerSecond = 5;
const fastRequests = 400;
const failingRequests = 6;

const requestsTo = (envelopes: Envelope[], path: string) =>
  envelopes.filter(
    (e) =>
      e.data.baseType === 'RequestData' &&
      typeof e.data.baseData.url === 'string' &&
      e.data.baseData.url.includes(path),
  );
const properties = (e: Envelope) => (e.data.baseData.properties ?? {}) as Record<string, string>;

describe.runIf(await available('postgres'))('Application Insights sampling', () => {
  let standIn: IngestionStandIn | undefined;
  let database: TestPostgres | undefined;
  let proxy: TcpProxy | undefined;
  let app: Spawned | undefined;
  afterAll(async () => {
    app?.child.kill('SIGKILL');
    await app?.exited;
    await standIn?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('when requests outpace the target, then about the target rate is kept, and every failure', async () => {
    standIn = await startIngestionStandIn();
    database = await createTestPostgres('sampling');
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    const port = await freePort();
    app = spawnTs('src/roles/cli.ts', ['all'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      ENVIRONMENT: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-sampling-')),
      DATABASE_URL: url.toString(),
      API_RATE_LIMIT_GLOBAL: '1000000',
      API_RATE_LIMIT_TIMES: '1000000',
      APPLICATIONINSIGHTS_CONNECTION_STRING: standIn.connectionString,
      APPLICATIONINSIGHTS_TRACES_PER_SECOND: String(tracesPerSecond),
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      NODE_EXTRA_CA_CERTS: standIn.caFile,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'info',
    });
    const base = `http://127.0.0.1:${port}`;
    const started = JSON.parse(await app.waitForLine(/Application Insights telemetry enabled/, 120_000)) as {
      tracesPerSecond?: number;
    };
    expect(started.tracesPerSecond).toBe(tracesPerSecond);
    await expect
      .poll(
        () =>
          fetch(`${base}/health/readiness`).then(
            (r) => r.status,
            () => 0,
          ),
        {
          timeout: 120_000,
          interval: 500,
        },
      )
      .toBe(200);

    const began = performance.now();
    for (let sent = 0; sent < fastRequests; sent += 10) {
      const batch = Array.from({ length: 10 }, () => fetch(`${base}/stars?limit=1`).then((r) => r.status));
      expect(new Set(await Promise.all(batch))).toEqual(new Set([200]));
    }
    const seconds = (performance.now() - began) / 1000;

    proxy.cut();
    const failureIds = Array.from({ length: failingRequests }, (_, i) => `sampling-failure-${i}`);
    for (const id of failureIds) {
      const failed = await fetch(`${base}/users?limit=1`, { headers: { 'x-correlation-id': id } });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    }

    const exceptionIds = (envelopes: Envelope[]) =>
      new Set(
        envelopes
          .filter((e) => e.data.baseType === 'ExceptionData')
          .map((e) => properties(e).correlationId)
          .filter((id) => id?.startsWith('sampling-failure-')),
      );
    await expect
      .poll(
        () => {
          const envelopes = standIn?.envelopes() ?? [];
          return {
            failedRequests: requestsTo(envelopes, '/users').length,
            exceptions: exceptionIds(envelopes).size,
          };
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ failedRequests: failingRequests, exceptions: failingRequests });

    const kept = requestsTo(standIn.envelopes(), '/stars');
    // About the target rate: at least one, never everything, within twice the target over the time
    // the requests took plus the limiter's first second (it starts with no history and decides by
    // a hash of the trace id, so short windows are noisy).
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(Math.ceil(2 * tracesPerSecond * (seconds + 1)));
    expect(kept.length).toBeLessThan(fastRequests / 4);
    // Each kept trace says how many it stands for, so Application Insights counts them back.
    const rates = kept.map((e) => (e as Envelope & { sampleRate?: number }).sampleRate ?? 100);
    expect(Math.min(...rates)).toBeLessThan(100);
  }, 240_000);
});
