// The foundation against bare node:http in the same run: GET /health/liveness and GET / (a small
// JSON route) with every foundation plugin on; and time from process start to ready, and idle
// RSS, both embedded (PGlite in the process) and on real services (PostgreSQL and Redis).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { services, reachable } from '../test/helpers/services.js';
import { load, row } from './support/load.js';
import { cpuMicros, freePort, rssMb, spawnQuiet, stop, waitForOk } from './support/processes.js';
import { target } from './support/targets.js';

const cli = fileURLToPath(new URL('../dist/roles/cli.js', import.meta.url));
const bareServer = fileURLToPath(new URL('./support/bare-server.ts', import.meta.url));

async function startApi(env: Record<string, string>, role = 'api') {
  const port = await freePort();
  const started = performance.now();
  const child = spawnQuiet([cli, role], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    API_RATE_LIMIT_GLOBAL: '1000000000',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-bench-')),
    ...env,
  });
  const readyMs = await waitForOk(`http://127.0.0.1:${port}/health/readiness`, started, 120_000);
  // CPU the process used to get ready: unlike the wall time, it barely depends on what else the
  // shared machine runs, so it shows a start-up change when the wall time is noise.
  const cpuMs = (await cpuMicros(child.pid ?? 0)) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { child, port, readyMs, cpuMs, idleRss: await rssMb(child.pid ?? 0) };
}

function printStartup(
  label: string,
  figures: { readyMs: number; cpuMs: number; idleRss: number },
  limits: [number, number],
) {
  const [readyLimit, rssLimit] = limits;
  console.log(
    target(`start to ready, ${label}`, figures.readyMs, readyLimit, { unit: ' ms', below: true, digits: 0 }),
  );
  console.log(`  CPU time to ready, ${label}: ${figures.cpuMs.toFixed(0)} ms (user + system)`);
  console.log(
    target(`idle RSS, ${label}`, figures.idleRss, rssLimit, { unit: ' MB', below: true, digits: 1 }),
  );
}

export async function run(): Promise<void> {
  if (
    (await reachable('127.0.0.1', services.postgres.port)) &&
    (await reachable('127.0.0.1', services.redis.port))
  ) {
    const onServices = await startApi({ DATABASE_URL: services.postgres.url, REDIS_URL: services.redis.url });
    printStartup('PostgreSQL + Redis', onServices, [1000, 100]);
    await stop(onServices.child);
  } else {
    console.log('start to ready / idle RSS on PostgreSQL + Redis: skipped, services not reachable');
  }

  // `azimuth all` on a fresh data directory: what `npm start` does the first time.
  const app = await startApi({}, 'all');
  try {
    // PGlite runs PostgreSQL in WebAssembly inside the process: its code and heap are most of it.
    printStartup('embedded (PGlite), all', app, [3000, 300]);

    const paths = ['/health/liveness', '/'];
    const routes: Record<string, string> = {};
    for (const path of paths)
      routes[path] = await (await fetch(`http://127.0.0.1:${app.port}${path}`)).text();

    const barePort = await freePort();
    const bare = spawnQuiet(['--import', 'tsx', bareServer], {
      PORT: String(barePort),
      BARE_ROUTES: JSON.stringify(routes),
    });
    try {
      await waitForOk(`http://127.0.0.1:${barePort}/`, performance.now());
      for (const path of paths) {
        await load(`http://127.0.0.1:${app.port}${path}`, { seconds: 1 }); // warm-up
        const baseline = await load(`http://127.0.0.1:${barePort}${path}`);
        const ours = await load(`http://127.0.0.1:${app.port}${path}`);
        console.log(row(`GET ${path}`, ours, baseline, 0.8));
      }
    } finally {
      await stop(bare);
    }
  } finally {
    await stop(app.child);
  }
}
