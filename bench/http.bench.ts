// The HTTP foundation's cost per request, feature by feature: GET /stars/popular on a cache hit
// and GET /health/liveness, LOG_LEVEL=info, every per-request feature on (bearer-token hook
// included), against bare node:http and an Express 5 peer (helmet, morgan, express-rate-limit)
// serving the same bytes; then the same server's apps built without one feature at a time, which
// gives each feature's cost per request and its share of the request.
// Two figures per run: requests per second (autocannon, 50 connections, here; every server in its
// own process) and the server's CPU time per request (from /proc), which a busy shared machine
// disturbs far less than throughput. Rounds interleave every server after a warm-up round;
// medians are reported, with the spread of requests per second.
// `npm run bench http -- --seconds=3 --rounds=3`.
import { fileURLToPath } from 'node:url';
import { requestFeatures } from '../src/http/request-features.js';
import { load } from './support/load.js';
import { cpuMicros, freePort, spawnQuiet, stop, waitForOk } from './support/processes.js';
import { redisReachable } from './support/redis.js';
import { target } from './support/targets.js';

const starsServer = fileURLToPath(new URL('./support/stars-server.ts', import.meta.url));
const bareServer = fileURLToPath(new URL('./support/bare-server.ts', import.meta.url));
const expressPeer = fileURLToPath(new URL('./support/express-peer.ts', import.meta.url));
const paths = ['/stars/popular', '/health/liveness'] as const;
type Path = (typeof paths)[number];

interface Sample {
  rps: number;
  cpuUs: number;
}
type Samples = Record<Path, Sample[]>;

interface Variant {
  label: string;
  off?: string[];
  redis?: boolean;
}

interface Target {
  label: string;
  port: number;
  pid: number;
  samples: Samples;
}

function argument(args: string[], name: string, fallback: number): number {
  const value = Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Warm-up rounds (JIT, the popular key) are run and thrown away. */
async function measure(server: Target, seconds: number, keep: boolean): Promise<void> {
  for (const path of paths) {
    const url = `http://127.0.0.1:${server.port}${path}`;
    const cpuBefore = await cpuMicros(server.pid);
    const result = await load(url, { seconds });
    const cpu = (await cpuMicros(server.pid)) - cpuBefore;
    if (result.non2xx > 0) throw new Error(`${server.label} ${path}: ${result.non2xx} non-2xx answers`);
    if (keep) server.samples[path].push({ rps: result.requestsPerSecond, cpuUs: cpu / result.total });
  }
}

const noSamples = (): Samples => ({ '/stars/popular': [], '/health/liveness': [] });

/** One server process with an app per variant (one seeding), each on its own port. */
async function startAzimuth(variants: Variant[]) {
  if (variants.length === 0) throw new Error('no variants');
  const ports: number[] = [];
  for (const _ of variants) ports.push(await freePort());
  const child = spawnQuiet(['--import', 'tsx', starsServer], {
    ENVIRONMENT: 'test',
    PORT: String(ports[0]),
    LOG_LEVEL: 'info',
    API_RATE_LIMIT_GLOBAL: '1000000000',
    BENCH_SEED: '1',
    BENCH_AUTH: 'jwt',
    BENCH_VARIANTS: JSON.stringify(variants.map((v, i) => ({ ...v, port: ports[i] }))),
  });
  try {
    await waitForOk(`http://127.0.0.1:${ports[0]}/health/readiness`, performance.now(), 180_000);
  } catch (error) {
    await stop(child);
    throw error;
  }
  const targets = variants.map((v, i) => ({
    label: v.label,
    port: ports[i] ?? 0,
    pid: child.pid ?? 0,
    samples: noSamples(),
  }));
  return { targets, stop: () => stop(child) };
}

async function startPeer(label: string, script: string, routes: Record<string, string>) {
  const port = await freePort();
  const child = spawnQuiet(['--import', 'tsx', script], {
    PORT: String(port),
    BARE_ROUTES: JSON.stringify(routes),
  });
  await waitForOk(`http://127.0.0.1:${port}${paths[1]}`, performance.now());
  const server: Target = { label, port, pid: child.pid ?? 0, samples: noSamples() };
  return { server, stop: () => stop(child) };
}

/** The bytes the app answers, so both baselines send exactly those. */
async function bodies(port: number): Promise<Record<string, string>> {
  const routes: Record<string, string> = {};
  for (const path of paths) routes[path] = await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
  return routes;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const rps = (t: Target, path: Path) => median(t.samples[path].map((s) => s.rps));
const cpu = (t: Target, path: Path) => median(t.samples[path].map((s) => s.cpuUs));
const spread = (t: Target, path: Path) => {
  const values = t.samples[path].map((s) => s.rps);
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
};

function summary(servers: Target[]) {
  console.log(
    `\n${'server'.padEnd(24)} ${paths.map((p) => `${p}: req/s (spread) · CPU µs/req`.padStart(50)).join('')}`,
  );
  for (const server of servers) {
    const cells = paths.map((path) =>
      `${rps(server, path).toFixed(0)} (${spread(server, path)}) · ${cpu(server, path).toFixed(1)}`.padStart(
        50,
      ),
    );
    console.log(`${server.label.padEnd(24)} ${cells.join('')}`);
  }
}

function featureTable(all: Target, variants: Target[]) {
  console.log(
    `\nper-feature cost, in the shared process: its app built without that one feature (CPU µs per request saved, share of the request)`,
  );
  console.log(
    `${'built without'.padEnd(24)} ${paths.map((p) => `${p}: µs saved  share  req/s`.padStart(42)).join('')}`,
  );
  for (const variant of variants) {
    const cells = paths.map((path) => {
      const saved = cpu(all, path) - cpu(variant, path);
      const share = (100 * saved) / cpu(all, path);
      return `${saved.toFixed(1).padStart(8)} ${share.toFixed(0).padStart(5)}% ${rps(variant, path).toFixed(0).padStart(7)}`.padStart(
        42,
      );
    });
    console.log(`${variant.label.padEnd(24)} ${cells.join('')}`);
  }
}

// The targets are measured on the every-feature app alone in its process, as production runs it:
// the per-feature table's apps share one process (one seeding, ~10 s of CPU each to start on
// PGlite), and eleven Fastify instances in one isolate make the hot functions they share (hook
// runners, serializers, our hooks) megamorphic, which costs that process more per request than
// one app does. The table compares apps of the same process, so that cost is in every row alike.
export async function run(args: string[]): Promise<void> {
  const seconds = argument(args, 'seconds', 3);
  const rounds = argument(args, 'rounds', 2);
  const redis = await redisReachable();
  const production: Variant = { label: 'azimuth (own process)', ...(redis ? { redis: true } : {}) };
  const shared: Variant[] = [
    { label: 'azimuth (shared process)', ...(redis ? { redis: true } : {}) },
    ...(redis ? [{ label: '(rate limits in memory)' }] : []),
    ...requestFeatures.map((feature) => ({ label: feature, off: [feature] })),
  ];
  const processes = [await startAzimuth([production])];
  const peers = [];
  try {
    if (process.env.BENCH_ALONE !== '1') processes.push(await startAzimuth(shared));
    const routes = await bodies(processes[0]?.targets[0]?.port ?? 0);
    console.log(
      `GET /stars/popular: ${routes['/stars/popular']?.length ?? 0} bytes (20 stars, from the cache)`,
    );
    peers.push(await startPeer('bare node:http', bareServer, routes));
    peers.push(await startPeer('express peer', expressPeer, routes));
    const servers = [...peers.map((p) => p.server), ...processes.flatMap((p) => p.targets)];
    for (let round = 0; round <= rounds; round++) {
      for (const server of servers) await measure(server, round === 0 ? 1 : seconds, round > 0);
    }
    report(servers);
  } finally {
    for (const peer of peers) await peer.stop();
    for (const azimuth of processes) await azimuth.stop();
  }
}

function report(servers: Target[]) {
  const [bare, express, all, sharedAll, ...others] = servers;
  if (bare === undefined || express === undefined || all === undefined) throw new Error('no figures');
  summary([bare, express, all, ...(sharedAll ? [sharedAll] : [])]);
  if (sharedAll) featureTable(sharedAll, others);
  const popular = '/stars/popular';
  const liveness = '/health/liveness';
  console.log('');
  console.log(
    target('GET /stars/popular (hit) / bare node:http', rps(all, popular) / rps(bare, popular), 0.6),
  );
  console.log(target('  same, by server CPU per request', cpu(bare, popular) / cpu(all, popular), 0.6));
  console.log(
    target('GET /stars/popular (hit) / Express peer', rps(all, popular) / rps(express, popular), 3, {
      unit: '×',
    }),
  );
  console.log(
    target('  same, by server CPU per request', cpu(express, popular) / cpu(all, popular), 3, { unit: '×' }),
  );
  console.log(target('GET /health/liveness / bare node:http', rps(all, liveness) / rps(bare, liveness), 0.8));
  console.log(target('  same, by server CPU per request', cpu(bare, liveness) / cpu(all, liveness), 0.8));
}
