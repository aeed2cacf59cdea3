// Telemetry reaches Application Insights: the real app in a child process, its connection string
// pointing at a local ingestion stand-in. Each kind arrives (requests, dependencies, exceptions,
// log lines as traces with the correlation id, Azimuth's metrics) and no secret is in any of it.
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

const jwtSecret = 'telemetry-test-jwt-secret-that-must-never-leak-0123456789';
const dbPassword = 'db-password-that-must-never-leak';

describe.runIf(await available('postgres'))('Application Insights export', () => {
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

  it('when the app serves requests, then every kind of telemetry arrives, without secrets', async () => {
    standIn = await startIngestionStandIn();
    database = await createTestPostgres('telemetry');
    // The database is reached through a proxy the test cuts, to cause a failing request.
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    url.password = dbPassword; // trust authentication ignores it; it must still not leak
    const port = await freePort();
    app = spawnTs('src/roles/cli.ts', ['all'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      ENVIRONMENT: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-telemetry-')),
      DATABASE_URL: url.toString(),
      AUTH_JWT_SECRET: jwtSecret,
      APPLICATIONINSIGHTS_CONNECTION_STRING: standIn.connectionString,
      APPLICATIONINSIGHTS_METRIC_PERIOD_MS: '1000',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      NODE_EXTRA_CA_CERTS: standIn.caFile,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      // Request lines (with their correlation id) are logged at debug.
      LOG_LEVEL: 'debug',
    });
    const base = `http://127.0.0.1:${port}`;
    const properties = (e: Envelope) => (e.data.baseData.properties ?? {}) as Record<string, string>;
    await expect
      .poll(
        () =>
          fetch(`${base}/health/readiness`).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 120_000, interval: 500 },
      )
      .toBe(200);
    const correlationId = 'telemetry-correlation-0001';
    expect((await fetch(`${base}/health`, { headers: { 'x-correlation-id': correlationId } })).status).toBe(
      200,
    );
    const user = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify({ name: 'Vega' }),
    });
    expect(user.status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob(['hello, stars']), 'hello.txt');
    expect((await fetch(`${base}/api/files`, { method: 'POST', body: form })).status).toBe(201);
    // An open event stream, so the SSE gauge has a series while metrics are exported.
    const stream = new AbortController();
    const events = await fetch(`${base}/events/stars/stream`, { signal: stream.signal });
    expect(events.status).toBe(200);
    proxy.cut();
    const failed = await fetch(`${base}/stars`, {
      headers: { 'x-correlation-id': 'telemetry-failure-0002' },
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);

    const kinds = (envelopes: Envelope[]) => new Set(envelopes.map((e) => e.data.baseType));
    const metricNames = (envelopes: Envelope[]) =>
      new Set(
        envelopes
          .filter((e) => e.data.baseType === 'MetricData')
          .flatMap((e) => (e.data.baseData.metrics as { name: string }[]).map((m) => m.name)),
      );
    const wanted = [
      'http_request_duration_seconds_p95',
      'azimuth_sse_connections',
      'azimuth_ws_connections',
      'azimuth_db_pool_connections',
      'blob_uploads_total',
      'blob_operation_duration_seconds_p95',
    ];
    await expect
      .poll(
        () => {
          const envelopes = standIn?.envelopes() ?? [];
          return {
            kinds: [...kinds(envelopes)].sort(),
            metrics: wanted.filter((name) => metricNames(envelopes).has(name)),
            // The span's own exception can come first; the log line's (with the id) in a later batch.
            failureCorrelated: envelopes.some(
              (e) =>
                e.data.baseType === 'ExceptionData' &&
                properties(e).correlationId === 'telemetry-failure-0002',
            ),
          };
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({
        kinds: ['ExceptionData', 'MessageData', 'MetricData', 'RemoteDependencyData', 'RequestData'],
        metrics: wanted,
        failureCorrelated: true,
      });

    stream.abort();
    const envelopes = standIn.envelopes();
    const requests = envelopes.filter((e) => e.data.baseType === 'RequestData');
    expect(requests.map((e) => e.data.baseData.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/GET/)]),
    );
    // Log lines are traces with the logger's fields; the failing request's error line is an
    // exception carrying that request's correlation id.
    const messages = envelopes.filter((e) => e.data.baseType === 'MessageData');
    expect(messages.map((e) => properties(e).service)).toContain('azimuth');
    const exceptions = envelopes.filter((e) => e.data.baseType === 'ExceptionData');
    expect(exceptions.map((e) => properties(e).correlationId)).toContain('telemetry-failure-0002');
    for (const body of standIn.rawBodies()) {
      expect(body).not.toContain(jwtSecret);
      expect(body).not.toContain(dbPassword);
    }
  }, 180_000);
});
