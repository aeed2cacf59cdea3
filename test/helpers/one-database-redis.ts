// A one-database Redis of the test's own, like Azure Managed Redis (`redis-server --databases 1`),
// with keyspace notifications so a test can see every key its code wrote.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createRedis } from '../../src/platform/redis/create-redis.js';
import type { RedisConnections } from '../../src/platform/redis/redis-connections.js';
import { freePort, waitForPort } from './ports.js';
import { silentLogger } from './silent-logger.js';
import { testSettings } from './test-settings.js';

/** A Redis like Azure Managed Redis: one logical database, so SELECT 1 is refused. */
export interface OneDatabaseRedis {
  /** Starts it on first use. */
  port(): Promise<number>;
  /** Connections as the composition root makes them: REDIS_URL and REDIS_DATABASE_MODE=auto. */
  connections(): Promise<RedisConnections>;
  /** Every key written and every pub/sub channel published to, deduplicated. */
  touched(): string[];
  /** Whether anything was written, and what lies outside `prefix`: `{ touched: true, outside: [] }` is clean. */
  outside(prefix: string): { touched: boolean; outside: string[] };
  close(): Promise<void>;
}

/**
 * True when `redis-server` can be started. Outside CI a missing binary skips the suite loudly;
 * in CI it fails (the runner installs Redis).
 */
export function redisServerInstalled(): boolean {
  if (spawnSync('redis-server', ['--version']).status === 0) return true;
  const message = 'redis-server is not installed; install it with: apt-get install -y redis-server';
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`\n!!! SKIPPING one-database Redis tests: ${message}\n`);
  return false;
}

async function startServer(touched: Set<string>) {
  const port = await freePort();
  const args = ['--databases', '1', '--port', String(port), '--bind', '127.0.0.1'];
  const server = spawn('redis-server', [...args, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = once(server, 'exit');
  await waitForPort(port, 'redis-server');
  const admin = new Redis({ port });
  await admin.config('SET', 'notify-keyspace-events', 'EA');
  admin.disconnect();
  const observer = new Redis({ port });
  await observer.psubscribe('*');
  observer.on('pmessage', (_pattern: string, channel: string, message: string) => {
    touched.add(channel.startsWith('__keyevent@') ? message : channel);
  });
  return {
    port,
    async close() {
      observer.disconnect();
      server.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `redis-server --databases 1` on a free port, started on first use, with keyspace notifications
 * on so a test sees every key its code wrote and can assert none lands outside its prefix.
 */
export function oneDatabaseRedis(): OneDatabaseRedis {
  const touched = new Set<string>();
  let started: ReturnType<typeof startServer> | undefined;
  const port = async () => (await (started ??= startServer(touched))).port;
  return {
    port,
    async connections() {
      const settings = await testSettings({ REDIS_URL: `redis://127.0.0.1:${await port()}` });
      const connections = await createRedis(settings, { logger: silentLogger() });
      if (connections === undefined) throw new Error('REDIS_URL is set, so Redis is configured');
      return connections;
    },
    touched: () => [...touched],
    outside: (prefix) => ({
      touched: touched.size > 0,
      outside: [...touched].filter((key) => !key.startsWith(prefix)),
    }),
    async close() {
      await (await started)?.close();
    },
  };
}
