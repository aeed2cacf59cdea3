// A real Azimuth process (`azimuth all`, embedded drivers) serving the built console, for the
// browser tests: started on a free port with a temporary DATA_DIR, stoppable and restartable on
// the same port and data, as a person's server would be.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { spawnTs, type Spawned } from '../helpers/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../src/roles/cli.ts', import.meta.url));

/** Builds web/dist when its sources changed since the last build (the same check as `npm start`). */
export function buildConsole(): void {
  const result = spawnSync(process.execPath, ['scripts/build-if-changed.js', '--only', 'web'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('building the web console failed');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface ConsoleServer {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function consoleServer(options: { port: number; env: Record<string, string> }): ConsoleServer {
  let process_: Spawned | undefined;
  return {
    url: `http://127.0.0.1:${options.port}`,
    async start() {
      process_ = spawnTs(cli, ['all'], {
        ENVIRONMENT: 'development',
        HOST: '127.0.0.1',
        PORT: String(options.port),
        LOG_LEVEL: 'info',
        ...options.env,
      });
      const exitedEarly = process_.exited.then(({ code }) => {
        throw new Error(`azimuth exited with ${code} before it was ready: ${process_?.stderr.join('\n')}`);
      });
      await Promise.race([process_.waitForLine(/ready on/, 120_000), exitedEarly]);
      void exitedEarly.catch(() => undefined);
    },
    async stop() {
      if (process_ === undefined) return;
      const { child, exited } = process_;
      process_ = undefined;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
