// Azurite's blob service as a child process on a free port with its data on disk, so stopping and
// starting it (the storage-down scenario) loses nothing, as a storage outage loses nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devAccount } from '../../test/helpers/azurite.js';
import { freePort } from '../../test/helpers/ports.js';
import { childServer } from './child-server.js';

export interface OwnAzurite {
  connectionString: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnAzurite(): Promise<OwnAzurite> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-azurite-'));
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const server = childServer({
    command: process.execPath,
    args: [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir].concat([
      '--loose',
      '--skipApiVersionCheck',
      '--silent',
    ]),
    port,
    what: 'Azurite',
    // SIGTERM: Azurite saves its metadata on the way out, so blobs written before survive.
    stopSignal: 'SIGTERM',
  });
  await server.start();
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccount.name}`,
    `AccountKey=${devAccount.key}`,
    `BlobEndpoint=http://127.0.0.1:${port}/${devAccount.name}`,
  ].join(';');
  return {
    connectionString,
    stop: server.stop,
    start: server.start,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
