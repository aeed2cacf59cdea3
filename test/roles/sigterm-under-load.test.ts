// SIGTERM under load, as a slot swap or scale-in sends it: a real `azimuth api` process serves a
// steady request loop behind a readiness-polling front end, an event stream and a WebSocket. After
// the signal no accepted request fails, answers carry Connection: close during the drain delay,
// the stream ends with a `retry:` line, the WebSocket closes 1012, and the process exits 0.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnTs } from '../helpers/processes.js';
import { startSteadyLoad, watchReadiness } from '../helpers/steady-load.js';
import { openRawStream } from '../modules/stars/helpers/raw-stream.js';

const dataDir = mkdtempSync(join(tmpdir(), 'azimuth-sigterm-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('SIGTERM under load', { timeout: 180_000 }, () => {
  it('when the API is signalled mid-traffic, then no accepted request fails and it exits 0', async () => {
    const server = spawnTs('src/roles/cli.ts', ['api'], {
      ENVIRONMENT: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      API_RATE_LIMIT_GLOBAL: '1000000',
      API_RATE_LIMIT_TIMES: '1000000',
      SHUTDOWN_DRAIN_DELAY_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const { address: base } = JSON.parse(await server.waitForLine(/ready on/, 120_000)) as {
      address: string;
    };

    const stream = await openRawStream(`${base}/events/stars/stream`);
    await stream.until((text) => text.includes(': connected'));
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const socketClosed = new Promise<number>((resolve) =>
      socket.once('close', (code: number) => resolve(code)),
    );

    const frontEnd = watchReadiness(base);
    const load = startSteadyLoad({
      baseUrl: base,
      inRotation: frontEnd.inRotation,
      requests: [
        { path: '/stars' },
        { method: 'POST', path: '/users', body: () => ({ name: `load-${Math.random()}` }) },
        { path: '/users' },
        { path: '/health/liveness' },
      ],
    });
    await expect.poll(() => load.report().requests, { timeout: 60_000 }).toBeGreaterThan(40);

    load.markSignal();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const report = await load.stop();
    frontEnd.stop();

    expect(exit).toEqual({ code: 0, signal: null });
    expect(report.errors).toEqual({});
    expect(report.non2xx).toBe(0);
    // The front end took the backend out of rotation (readiness 503) before the listener closed.
    expect(report.refused).toBe(0);
    expect(frontEnd.seen[503]).toBeGreaterThan(0);
    expect(report.answeredAfterSignal).toBeGreaterThan(0);
    expect(report.connectionClose).toBeGreaterThan(0);

    await stream.ended;
    expect(stream.text()).toMatch(/retry: \d+\n\n$/);
    expect(await socketClosed).toBe(1012);
    expect(server.stdout.some((line) => line.includes('shutdown complete'))).toBe(true);
  });
});
