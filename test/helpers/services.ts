// Real services for integration tests. Outside CI a suite whose service is down is skipped
// with one loud line saying how to start it; with CI=true it must run, so it fails instead.
import { createConnection } from 'node:net';

export const services = {
  postgres: {
    url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    host: '127.0.0.1',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    host: '127.0.0.1',
    port: 6379,
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
} as const;

export type ServiceName = keyof typeof services;

export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Resolves to true when the service answers. Use with `describe.runIf(await available('redis'))`.
 * In CI an unreachable service throws, so the run goes red instead of silently skipping.
 */
export async function available(name: ServiceName): Promise<boolean> {
  const service = services[name];
  if (await reachable(service.host, service.port)) return true;
  const message = `${name} is not reachable at ${service.host}:${service.port}; start it with: ${service.start}`;
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`\n!!! SKIPPING ${name} tests: ${message}\n`);
  return false;
}
