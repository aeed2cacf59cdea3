// PgBouncer in transaction mode in front of the test PostgreSQL, as Azure Flexible Server's
// built-in pooler runs: a free port, a temporary config, every statement possibly on another
// server connection. PgBouncer refuses to run as root, so as root it runs as `postgres`.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { services } from './services.js';

export interface PgBouncer {
  port: number;
  /** The same database reached through PgBouncer. */
  url(directUrl: string): string;
  /** PgBouncer's own log, for a failing test's message. */
  log(): string;
  close(): Promise<void>;
}

const binary = ['/usr/sbin/pgbouncer', 'pgbouncer'].find(
  (candidate) => spawnSync(candidate, ['--version']).status === 0,
);

/** True when PgBouncer is installed; outside CI its absence skips loudly, in CI it fails. */
export function pgBouncerInstalled(): boolean {
  if (binary !== undefined) return true;
  const message = 'pgbouncer is not installed; install it with: apt-get install -y pgbouncer';
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`\n!!! SKIPPING PgBouncer tests: ${message}\n`);
  return false;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPgBouncer(options: { poolSize?: number } = {}): Promise<PgBouncer> {
  if (binary === undefined) throw new Error('pgbouncer is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  const user = new URL(services.postgres.url).username || 'postgres';
  const config = [
    '[databases]',
    `* = host=${services.postgres.host} port=${services.postgres.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'pool_mode = transaction',
    `default_pool_size = ${options.poolSize ?? 4}`,
    // Round robin, not LIFO: a client's consecutive transactions land on different server
    // connections, so anything relying on session state fails here as it would under load.
    'server_round_robin = 1',
    'max_client_conn = 200',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    // As strict as the default: any startup parameter it does not track is an error.
    'ignore_startup_parameters =',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
  ].join('\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), `${config}\n`);
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.log'), '');
  const owner = postgresUser();
  if (owner !== undefined) {
    for (const file of ['', 'pgbouncer.ini', 'userlist.txt', 'pgbouncer.log']) {
      chownSync(join(dir, file), owner.uid, owner.gid);
    }
  }
  const child = spawn(binary, [join(dir, 'pgbouncer.ini')], {
    stdio: 'ignore',
    ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
  });
  const exited = once(child, 'exit');
  const log = () => spawnSync('cat', [join(dir, 'pgbouncer.log')], { encoding: 'utf8' }).stdout;
  try {
    await waitForPort(port, 'pgbouncer', 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${log()}`);
  }
  return {
    port,
    url(directUrl) {
      const url = new URL(directUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    log,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
