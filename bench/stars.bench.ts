// The stars module: (a) GET /stars/popular on a cache hit with every plugin on, against bare
// node:http serving the same bytes; (b) SSE fan-out: N streams on one server process, held by
// client processes (`--client-processes=2`), one change published, time from the server's
// publish to each client's receipt (`npm run bench stars -- --clients=2000` for fewer), and the
// server's own share (publish → written to every stream).
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, row } from './support/load.js';
import { freePort, spawnQuiet, stop, waitForOk } from './support/processes.js';
import type { ClientWorkerData, FromWorker, ToWorker } from './support/sse-client-worker.js';
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

const clientWorker = fileURLToPath(new URL('./support/sse-client-worker.ts', import.meta.url));

/** The client processes: each holds its share of the streams and reports when each got a round's event. */
class ClientProcesses {
  readonly #workers: ChildProcess[];
  readonly #failed: Promise<never>;

  constructor(port: number, clients: number, processes: number) {
    this.#workers = Array.from({ length: processes }, (_, i) => {
      const count = Math.floor(clients / processes) + (i < clients % processes ? 1 : 0);
      const data: ClientWorkerData = { port, count };
      return fork(clientWorker, [JSON.stringify(data)], {
        execArgv: ['--import', 'tsx'],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    });
    this.#failed = new Promise((_, reject) => {
      for (const worker of this.#workers) {
        worker.on('error', reject);
        worker.on('exit', (code) => reject(new Error(`a client process exited (${code})`)));
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'failed') reject(new Error(message.message));
        });
      }
    });
    this.#failed.catch(() => undefined); // observed by whichever wait is running
  }

  /** Resolves once every process's streams are open; rejects on the first refusal. */
  opened(): Promise<void> {
    return Promise.race([
      Promise.all(this.#workers.map((w) => this.#next(w, 'opened'))).then(() => undefined),
      this.#failed,
    ]);
  }

  /** Arms every process for a round; the promise has every client's receipt time (epoch ms). */
  round(timeoutMs: number): Promise<number[]> {
    const receipts = this.#workers.map((w) => this.#next(w, 'received'));
    for (const worker of this.#workers) worker.send({ type: 'round' } satisfies ToWorker);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`a round got no event at some client in ${timeoutMs} ms`)),
        timeoutMs,
      ).unref(),
    );
    return Promise.race([
      Promise.all(receipts).then((all) => all.flatMap((m) => (m.type === 'received' ? [...m.at] : []))),
      this.#failed,
      timeout,
    ]);
  }

  /** Stops every client process (their sockets close with them). */
  async close(): Promise<void> {
    await Promise.all(
      this.#workers.map(async (worker) => {
        worker.removeAllListeners('exit');
        if (worker.exitCode !== null) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill();
        await exited;
      }),
    );
  }

  #next(worker: ChildProcess, type: FromWorker['type']): Promise<FromWorker> {
    return new Promise((resolve) => {
      const listener = (message: FromWorker) => {
        if (message.type !== type) return;
        worker.off('message', listener);
        resolve(message);
      };
      worker.on('message', listener);
    });
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
};

interface Publish {
  id: string;
  /** Epoch ms when the server called publish. */
  at: number;
  /** Publish → the last stream's write handed to the kernel. */
  writtenMs: number;
  /** The server's CPU time over that span. */
  writtenCpuMs: number;
  streams: number;
}

function reportFanout(
  clients: number,
  rounds: Array<{ posted: number; received: number[] }>,
  publishes: Publish[],
): void {
  const fromPublish = summary(
    rounds.flatMap((r, i) => r.received.map((at) => at - (publishes[i]?.at ?? NaN))),
  );
  const fromPost = summary(rounds.flatMap((r) => r.received.map((at) => at - r.posted)));
  const written = summary(publishes.map((p) => p.writtenMs));
  const writtenCpu = summary(publishes.map((p) => p.writtenCpuMs));
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `SSE fan-out to ${clients} clients, ${rounds.length} rounds; receipt times from the client processes, ` +
      'publish time from the server (epoch ms, one clock on this machine):',
  );
  console.log(
    `  publish → event at each client: p50 ${ms(fromPublish.p50)}, p99 ${ms(fromPublish.p99)}, last client ${ms(fromPublish.max)}`,
  );
  console.log(
    `  POST /stars sent → event at each client (adds the request and the insert): ` +
      `p50 ${ms(fromPost.p50)}, p99 ${ms(fromPost.p99)}, last client ${ms(fromPost.max)}`,
  );
  console.log(
    `  server's share, publish → written to all ${publishes[0]?.streams ?? 0} streams: ` +
      `median ${ms(written.p50)}, max ${ms(written.max)}; CPU time ${ms(writtenCpu.p50)} ` +
      `(${((writtenCpu.p50 * 1000) / (publishes[0]?.streams ?? 1)).toFixed(1)} µs per stream)`,
  );
  console.log(
    target(`SSE fan-out p99 from publish, ${clients} clients`, fromPublish.p99, 150, {
      unit: ' ms',
      below: true,
      digits: 1,
    }),
  );
}

function clientCountFor(wanted: number): number {
  const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  if (!Number.isFinite(limit) || limit >= wanted + 200) return wanted;
  console.log(
    `ulimit -n is ${limit}: too low for ${wanted} clients; running ${limit - 200} (raise it with ulimit -n ${wanted + 1000})`,
  );
  return limit - 200;
}

async function fanoutBench(
  base: string,
  port: number,
  clientsWanted: number,
  processes: number,
): Promise<void> {
  const clientCount = clientCountFor(clientsWanted);
  const connectStarted = performance.now();
  const clients = new ClientProcesses(port, clientCount, processes);
  try {
    await clients.opened();
    console.log(
      `SSE: ${clientCount} streams open in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s, held by ${processes} client processes`,
    );
    const user = await post(base, '/users', { name: 'Fan-out' });
    const rounds: Array<{ posted: number; received: number[] }> = [];
    for (let round = 0; round < 6; round++) {
      const receipts = clients.round(30_000);
      const posted = performance.timeOrigin + performance.now();
      await post(base, '/stars', { userId: user.id, name: `Round ${round}`, ra: 1, dec: 2 });
      rounds.push({ posted, received: await receipts });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const publishes = (await (await fetch(`${base}/bench/publishes`)).json()) as Publish[];
    if (publishes.length !== rounds.length) {
      throw new Error(`the server published ${publishes.length} star events for ${rounds.length} rounds`);
    }
    // Round 0 is the warm-up.
    reportFanout(clientCount, rounds.slice(1), publishes.slice(1));
  } finally {
    await clients.close();
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
    // PGlite and tsx take a minute on a loaded machine.
    await waitForOk(`${base}/health/readiness`, performance.now(), 180_000);
    await seed(base);
    if (process.env.BENCH_SKIP_POPULAR !== '1') await popularBench(base);
    await fanoutBench(base, port, clientsWanted, argument(args, 'client-processes', 2));
  } finally {
    await stop(server);
  }
}
