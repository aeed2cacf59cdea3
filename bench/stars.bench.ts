// The stars module: (a) GET /stars/popular on a cache hit with every plugin on, against bare
// node:http serving the same bytes; (b) SSE fan-out: N clients on one server process, one change
// published, time until each client has it (`npm run bench stars -- --clients=2000` for fewer);
// the server's own share (publish → written to every stream) is printed when it stops.
import { execSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { load, row } from './support/load.js';
import { freePort, spawnQuiet, stop, waitForOk } from './support/processes.js';
import { target } from './support/targets.js';

const starsServer = fileURLToPath(new URL('./support/stars-server.ts', import.meta.url));
const bareServer = fileURLToPath(new URL('./support/bare-server.ts', import.meta.url));

function argument(args: string[], name: string, fallback: number): number {
  const value = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

async function post(base: string, path: string, body: object): Promise<{ id: string }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

async function seed(base: string): Promise<void> {
  const users = [];
  for (let i = 0; i < 25; i++) users.push(await post(base, '/users', { name: `Bench user ${i}` }));
  for (let i = 0; i < 20; i++) {
    const star = await post(base, '/stars', {
      userId: users[i]?.id,
      name: `Star ${i}`,
      message: 'A star for the benchmark, with a message of typical length.',
      ra: i * 17,
      dec: i - 10,
      color: '#a0b0c0',
    });
    for (const fan of users.slice(0, i + 1)) await post(base, `/stars/${star.id}/like`, { userId: fan.id });
  }
}

async function popularBench(base: string): Promise<void> {
  const body = await (await fetch(`${base}/stars/popular`)).text();
  const barePort = await freePort();
  const bare = spawnQuiet(['--import', 'tsx', bareServer], {
    PORT: String(barePort),
    BARE_ROUTES: JSON.stringify({ '/stars/popular': body }),
  });
  try {
    await waitForOk(`http://127.0.0.1:${barePort}/stars/popular`, performance.now());
    await load(`${base}/stars/popular`, { seconds: 1 }); // warm-up (and makes the key popular)
    const baseline = await load(`http://127.0.0.1:${barePort}/stars/popular`);
    const ours = await load(`${base}/stars/popular`);
    // The foundation's smallest JSON route on the same server: what every plugin costs alone.
    const floor = await load(`${base}/`);
    console.log(`GET /stars/popular: ${body.length} bytes, 20 stars, served from the cache`);
    console.log(row('GET /stars/popular (hit)', ours, baseline, 0.6));
    console.log(
      `  same server's GET / (foundation plugins only): ${floor.requestsPerSecond.toFixed(0)} req/s, ` +
        `ratio ${(floor.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} of bare; ` +
        `/stars/popular is ${(ours.requestsPerSecond / floor.requestsPerSecond).toFixed(2)} of it`,
    );
  } finally {
    await stop(bare);
  }
}

interface FanoutClient {
  socket: Socket;
  /** Milliseconds from publish to receipt in the current round; NaN until received. */
  receivedAt: number;
}

const createMarker = Buffer.from('"type":"create"');

function openClient(port: number, onReceived: () => void): Promise<FanoutClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const client: FanoutClient = { socket, receivedAt: NaN };
    let connected = false;
    let head = '';
    socket.setNoDelay(true);
    socket.once('error', reject);
    // A refusal (a cap, an error status) ends the socket before `connected`: fail loudly, rather
    // than leave the promise pending until the event loop empties and the bench exits silently.
    socket.once('close', () => {
      if (!connected) reject(new Error(`stream refused before it connected: ${head.slice(0, 200)}`));
    });
    socket.write(
      `GET /events/stars/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    socket.on('data', (chunk: Buffer) => {
      // Minimal parsing: wait for the `connected` comment, then look for a create event's marker
      // in the raw bytes (each frame is one small write, so it arrives in one chunk on loopback).
      if (!connected) {
        head += chunk.toString('latin1');
        if (!head.includes(': connected')) return;
        connected = true;
        head = '';
        resolve(client);
        return;
      }
      if (Number.isNaN(client.receivedAt) && chunk.includes(createMarker)) {
        client.receivedAt = performance.now();
        onReceived();
      }
    });
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function fanoutBench(base: string, port: number, clientsWanted: number): Promise<void> {
  const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  const clientCount = Number.isFinite(limit) && limit < clientsWanted + 200 ? limit - 200 : clientsWanted;
  if (clientCount < clientsWanted) {
    console.log(
      `ulimit -n is ${limit}: too low for ${clientsWanted} clients; running ${clientCount} (raise it with ulimit -n ${clientsWanted + 1000})`,
    );
  }
  let pending = 0;
  let roundDone: (() => void) | undefined;
  const onReceived = () => {
    pending--;
    if (pending === 0) roundDone?.();
  };
  const clients: FanoutClient[] = [];
  const connectStarted = performance.now();
  try {
    for (let i = 0; i < clientCount; i += 500) {
      const batch = Math.min(500, clientCount - i);
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => openClient(port, onReceived)))));
    }
    console.log(
      `SSE: ${clients.length} streams open in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`,
    );
    const user = await post(base, '/users', { name: 'Fan-out' });
    const latencies: number[] = [];
    const lasts: number[] = [];
    for (let round = 0; round < 6; round++) {
      for (const client of clients) client.receivedAt = NaN;
      pending = clients.length;
      const done = new Promise<void>((resolve, reject) => {
        roundDone = resolve;
        setTimeout(
          () => reject(new Error(`round ${round}: ${pending} clients got nothing in 30 s`)),
          30_000,
        ).unref();
      });
      const started = performance.now();
      await post(base, '/stars', { userId: user.id, name: `Round ${round}`, ra: 1, dec: 2 });
      await done;
      if (round === 0) continue; // warm-up
      const round_ = clients.map((c) => c.receivedAt - started);
      latencies.push(...round_);
      lasts.push(Math.max(...round_));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `SSE fan-out to ${clients.length} clients (POST /stars → event at each client, 5 rounds): ` +
        `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, last client ${Math.max(...lasts).toFixed(1)} ms`,
    );
    console.log(
      target(`SSE fan-out p99, ${clients.length} clients`, p99, 150, { unit: ' ms', below: true, digits: 1 }),
    );
  } finally {
    for (const client of clients) client.socket.destroy();
  }
}

export async function run(args: string[]): Promise<void> {
  const clientsWanted = argument(args, 'clients', 10_000);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawnQuiet(['--import', 'tsx', starsServer], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    LOG_LEVEL: 'info',
    API_RATE_LIMIT_GLOBAL: '1000000000',
    API_RATE_LIMIT_TIMES: '1000000000',
    SSE_MAX_CONNECTIONS: String(Math.max(10_000, clientsWanted + 100)),
    // Every bench client shares one address; the per-client cap is not what is measured here.
    API_MAX_STREAMS_PER_CLIENT: String(clientsWanted + 100),
  });
  try {
    await waitForOk(`${base}/health/readiness`, performance.now(), 60_000);
    await seed(base);
    if (process.env.BENCH_SKIP_POPULAR !== '1') await popularBench(base);
    await fanoutBench(base, port, clientsWanted);
  } finally {
    await stop(server);
  }
}
