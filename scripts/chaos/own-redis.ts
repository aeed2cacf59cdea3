// A redis-server of the chaos run's own on a free port, killed and started again on the same port
// by the scenarios (the shared Redis other suites use is never touched). No persistence: a kill
// loses every key, as a cache node that fails over without replication does.
import { freePort } from '../../test/helpers/ports.js';
import { childServer } from './child-server.js';

export interface OwnRedis {
  url: string;
  /** SIGKILL: connections drop at once, nothing is saved. */
  kill(): Promise<void>;
  /** Starts again on the same port, empty. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const server = childServer({
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    port,
    what: 'redis-server',
    stopSignal: 'SIGKILL',
  });
  await server.start();
  return { url: `redis://127.0.0.1:${port}`, kill: server.stop, start: server.start, close: server.stop };
}
