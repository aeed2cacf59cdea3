// The foundation against bare node:http in the same run: GET /health/liveness and GET / (a small
// JSON route) with every foundation plugin on, start-up time to ready, and idle RSS.
import { fileURLToPath } from 'node:url';
import { load, row } from './support/load.js';
import { freePort, rssMb, spawnQuiet, stop, waitForOk } from './support/processes.js';

const cli = fileURLToPath(new URL('../dist/roles/cli.js', import.meta.url));
const bareServer = fileURLToPath(new URL('./support/bare-server.ts', import.meta.url));

export async function run(): Promise<void> {
  const appPort = await freePort();
  const started = performance.now();
  const app = spawnQuiet([cli, 'api'], {
    ENVIRONMENT: 'test',
    PORT: String(appPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    API_RATE_LIMIT_GLOBAL: '1000000000',
  });
  try {
    const readyMs = await waitForOk(`http://127.0.0.1:${appPort}/health/readiness`, started);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = await rssMb(app.pid ?? 0);
    console.log(
      `start to ready              ${readyMs.toFixed(0)} ms (target < 1000) ${readyMs < 1000 ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(
      `idle RSS                    ${idleRss.toFixed(1)} MB (target < 100) ${idleRss < 100 ? 'OK' : 'ABOVE TARGET'}`,
    );

    const paths = ['/health/liveness', '/'];
    const routes: Record<string, string> = {};
    for (const path of paths) routes[path] = await (await fetch(`http://127.0.0.1:${appPort}${path}`)).text();

    const barePort = await freePort();
    const bare = spawnQuiet(['--import', 'tsx', bareServer], {
      PORT: String(barePort),
      BARE_ROUTES: JSON.stringify(routes),
    });
    try {
      await waitForOk(`http://127.0.0.1:${barePort}/`, performance.now());
      for (const path of paths) {
        await load(`http://127.0.0.1:${appPort}${path}`, { seconds: 1 }); // warm-up
        const baseline = await load(`http://127.0.0.1:${barePort}${path}`);
        const ours = await load(`http://127.0.0.1:${appPort}${path}`);
        console.log(row(`GET ${path}`, ours, baseline, 0.75));
      }
    } finally {
      await stop(bare);
    }
  } finally {
    await stop(app);
  }
}
