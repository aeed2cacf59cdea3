// Azurite for tests: the blob (and optionally table) service in-process with in-memory
// persistence on free ports, or as a child process when a test must not share its memory.
// stop()/start() restart the services on the SAME ports (stored data does not survive a restart).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const devAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

export interface AzuriteOptions {
  blob?: boolean;
  table?: boolean;
  /** `in-process` (default) or `child`, which keeps Azurite's memory out of this process's RSS. */
  mode?: 'in-process' | 'child';
}

export interface Azurite {
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  blobPort: number;
  tablePort: number;
  /** Stops every service; ports stay reserved for start(). */
  stop(): Promise<void>;
  /** Starts again on the same ports, empty. */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerClass = new (configuration: unknown) => AzuriteServer;
type ConfigurationClass = new (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
// Azurite ships CommonJS without typings; its servers are reached through their dist paths.
const loadDefault = (path: string): unknown => (require(path) as { default: unknown }).default;

function inProcessBlob(port: number): AzuriteServer {
  const BlobServer = loadDefault('azurite/dist/src/blob/BlobServer.js') as ServerClass;
  const BlobConfiguration = loadDefault('azurite/dist/src/blob/BlobConfiguration.js') as ConfigurationClass;
  const { MemoryExtentChunkStore } = require('azurite/dist/src/common/persistence/MemoryExtentStore.js') as {
    MemoryExtentChunkStore: new (limit: number) => unknown;
  };
  const dir = join(tmpdir(), `azurite-${randomUUID()}`);
  const configuration = new BlobConfiguration(
    '127.0.0.1',
    port,
    5, // keep-alive seconds
    join(dir, 'blob-meta.json'),
    join(dir, 'blob-extent.json'),
    undefined, // persistence paths (unused in memory)
    false, // access log
    undefined,
    false, // debug log
    undefined,
    true, // loose
    true, // skipApiVersionCheck
    '',
    '',
    '',
    undefined, // oauth
    false, // disableProductStyleUrl
    true, // in-memory persistence
    // Its own chunk store, so restarts and parallel files never share blob bytes.
    new MemoryExtentChunkStore(1024 * 1024 * 1024),
  );
  return new BlobServer(configuration);
}

function inProcessTable(port: number): AzuriteServer {
  const TableServer = loadDefault('azurite/dist/src/table/TableServer.js') as ServerClass;
  const TableConfiguration = loadDefault(
    'azurite/dist/src/table/TableConfiguration.js',
  ) as ConfigurationClass;
  const dir = join(tmpdir(), `azurite-${randomUUID()}`);
  const configuration = new TableConfiguration(
    '127.0.0.1',
    port,
    5,
    join(dir, 'table-meta.json'),
    false, // debug log
    false, // access log
    undefined,
    undefined,
    true, // loose
    true, // skipApiVersionCheck
    '',
    '',
    '',
    undefined,
    false,
    true, // in-memory persistence
  );
  return new TableServer(configuration);
}

function childService(kind: 'blob' | 'table', port: number): AzuriteServer {
  let child: ChildProcess | undefined;
  return {
    async start() {
      const main = require.resolve(`azurite/dist/src/${kind}/main.js`);
      child = spawn(
        process.execPath,
        [
          main,
          `--${kind}Host`,
          '127.0.0.1',
          `--${kind}Port`,
          String(port),
          '--inMemoryPersistence',
          '--loose',
          '--skipApiVersionCheck',
          '--silent',
        ],
        { stdio: 'ignore' },
      );
      await waitForPort(port, 'Azurite');
    },
    async close() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
    getHttpServerAddress: () => `http://127.0.0.1:${port}`,
  };
}

/** Starts Azurite; call close() in afterAll. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const wantBlob = options.blob ?? true;
  const wantTable = options.table ?? false;
  const mode = options.mode ?? 'in-process';
  const blobPort = wantBlob ? await freePort() : 0;
  const tablePort = wantTable ? await freePort() : 0;

  const make = (): AzuriteServer[] => [
    ...(wantBlob ? [mode === 'child' ? childService('blob', blobPort) : inProcessBlob(blobPort)] : []),
    ...(wantTable ? [mode === 'child' ? childService('table', tablePort) : inProcessTable(tablePort)] : []),
  ];
  let servers: AzuriteServer[] = [];
  const start = async () => {
    servers = make();
    for (const server of servers) await server.start();
  };
  const stop = async () => {
    const running = servers;
    servers = [];
    for (const server of running) await server.close();
  };
  await start();

  const blobEndpoint = `http://127.0.0.1:${blobPort}/${devAccount.name}`;
  const tableEndpoint = `http://127.0.0.1:${tablePort}/${devAccount.name}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccount.name}`,
    `AccountKey=${devAccount.key}`,
    ...(wantBlob ? [`BlobEndpoint=${blobEndpoint}`] : []),
    ...(wantTable ? [`TableEndpoint=${tableEndpoint}`] : []),
  ].join(';');
  return { connectionString, blobEndpoint, tableEndpoint, blobPort, tablePort, start, stop, close: stop };
}
