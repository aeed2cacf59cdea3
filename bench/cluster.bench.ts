// `azimuth api --workers N`: requests/s of a cached read (GET /stars/popular, served from the
// Redis cache) with one API process against N under `--workers auto`, same PostgreSQL and Redis.
// On a machine with C cores the ideal ratio is close to min(N, C) minus what the load generator
// itself takes; a ratio near 1 would mean the processes are not sharing the work.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { workerCount } from '../src/roles/cluster.js';
import { reachable, services } from '../test/helpers/services.js';
import { load, ratio, type LoadResult } from './support/load.js';
import { freePort, spawnQuiet, stop, waitForOk } from './support/processes.js';

const cli = fileURLToPath(new URL('../dist/roles/cli.js', import.meta.url));

async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_cluster_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.postgres.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(services.postgres.url);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function seed(base: string): Promise<void> {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status}`);
    return (await response.json()) as { id: string };
  };
  const user = await post('/users', { name: 'Bench user' });
  for (let i = 0; i < 20; i++)
    await post('/stars', { userId: user.id, name: `Star ${i}`, ra: i * 17, dec: i - 10 });
}

/** Until every worker has answered: /metrics of a cluster worker carries its `worker` label. */
async function waitForWorkers(base: string, workers: number): Promise<void> {
  const seen = new Set<string>();
  const deadline = performance.now() + 120_000;
  while (workers > 1 && seen.size < workers) {
    if (performance.now() > deadline) throw new Error(`only ${seen.size} of ${workers} workers answered`);
    // A fresh connection each time, so the primary hands it to the next worker.
    const text = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
    const worker = /\bworker="(\d+)"/.exec(text)?.[1];
    if (worker !== undefined) seen.add(worker);
  }
}

async function measure(
  workers: number,
  databaseUrl: string,
  seconds: number,
  seedFirst: boolean,
): Promise<LoadResult> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnQuiet([cli, 'api', '--workers', String(workers)], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    API_RATE_LIMIT_GLOBAL: '1000000000',
    API_RATE_LIMIT_TIMES: '1000000',
    DATABASE_URL: databaseUrl,
    REDIS_URL: services.redis.url,
  });
  try {
    await waitForOk(`${base}/health/readiness`, performance.now(), 120_000);
    await waitForWorkers(base, workers);
    if (seedFirst) await seed(base);
    await load(`${base}/stars/popular`, { seconds: 1 });
    return await load(`${base}/stars/popular`, { seconds });
  } finally {
    await stop(child);
  }
}

export async function run(args: string[]): Promise<void> {
  if (
    !(await reachable(services.postgres.host, services.postgres.port)) ||
    !(await reachable(services.redis.host, services.redis.port))
  ) {
    console.log('skipped: needs PostgreSQL on 5432 and Redis on 6379');
    return;
  }
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 5);
  const workers = Math.max(2, workerCount('auto'));
  await withDatabase(async (url) => {
    const one = await measure(1, url, seconds, true);
    const many = await measure(workers, url, seconds, false);
    console.log(`GET /stars/popular (cached), ${seconds} s each, 50 connections:`);
    console.log(`  1 process      ${one.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${one.p99} ms`);
    console.log(
      `  ${String(workers).padEnd(2)} processes   ${many.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${many.p99} ms → ratio ${ratio(many.requestsPerSecond, one.requestsPerSecond).toFixed(2)} (cores: ${workerCount('auto')}; the load generator shares them)`,
    );
    if (one.non2xx + many.non2xx > 0) console.log(`  [${one.non2xx + many.non2xx} non-2xx responses!]`);
  });
}
