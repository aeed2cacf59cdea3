// Azurite's blob service as a child process on a free port with its data on disk, so stopping and
// starting it (the storage-down scenario) loses nothing, as a storage outage loses nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devAccount } from '../../test/helpers/azurite.js';
import { freePort, waitForPort } from '../../test/helpers/ports.js';

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
  const args = [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(process.execPath, [...args, '--loose', '--skipApiVersionCheck', '--silent'], {
      stdio: 'ignore',
    });
    await waitForPort(port, 'Azurite');
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    // SIGTERM: Azurite saves its metadata on the way out, so blobs written before survive.
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccount.name}`,
    `AccountKey=${devAccount.key}`,
    `BlobEndpoint=http://127.0.0.1:${port}/${devAccount.name}`,
  ].join(';');
  return {
    connectionString,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
