// Steady mixed load on the API while a scenario injects its fault: readers (star lists, single
// stars, the cached active list, files) and writers (new stars, new files), each a loop with a
// short pause, every call recorded. Every acknowledged write is remembered so the scenario can
// look for it afterwards.
import { randomUUID } from 'node:crypto';
import { call, type Outcome } from './http-outcome.js';

export interface TrafficOptions {
  apiUrl: string;
  /** The star-map user the writers create stars for. */
  userId: string;
  readers?: number;
  writers?: number;
  /** Pause between two calls of one loop; keeps the load steady rather than saturating. */
  pauseMs?: number;
  /** Longest a call may take before it counts as a hang. */
  timeoutMs?: number;
  /** False while the front end has taken the instance out of rotation: the loops send nothing. */
  routed?: () => boolean;
}

export interface Written {
  startedAt: number;
  ackedAt: number;
}

export interface Traffic {
  readonly outcomes: Outcome[];
  /** Acknowledged (201) stars and files: id or name → when the request was sent and answered. */
  readonly starsWritten: Map<string, Written>;
  readonly filesWritten: Map<string, Written>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startTraffic(options: TrafficOptions): Traffic {
  const outcomes: Outcome[] = [];
  const starsWritten = new Map<string, Written>();
  const filesWritten = new Map<string, Written>();
  const written = (startedAt: number): Written => ({ startedAt, ackedAt: Date.now() });
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = options.apiUrl;
  let running = true;
  let counter = 0;

  const record = async (op: string, path: string, init?: RequestInit) => {
    const result = await call(op, `${base}${path}`, init, timeoutMs);
    outcomes.push(result.outcome);
    return result;
  };
  const anyOf = <T>(items: readonly T[]): T | undefined => items[counter % Math.max(1, items.length)];

  const readOnce = async () => {
    counter += 1;
    const star = anyOf([...starsWritten.keys()].slice(-50));
    const file = anyOf([...filesWritten.keys()].slice(-20));
    const choice = counter % 4;
    if (choice === 0 || star === undefined) await record('read', '/stars?limit=20');
    else if (choice === 1) await record('read', `/stars/${star}`);
    else if (choice === 2 || file === undefined) await record('read', '/stars/active?limit=20');
    else await record('file-read', `/api/files/${file}`);
  };

  const writeOnce = async () => {
    counter += 1;
    if (counter % 3 === 0) {
      const name = `chaos/${randomUUID()}.txt`;
      const result = await record('file-write', `/api/files/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: `chaos ${name}\n`,
      });
      if (result.outcome.status === 201) filesWritten.set(name, written(result.outcome.startedAt));
      return;
    }
    const result = await record('write', '/stars', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: options.userId, name: `chaos ${counter}`, ra: counter % 360, dec: 0 }),
    });
    if (result.outcome.status === 201 && result.body !== undefined)
      starsWritten.set((JSON.parse(result.body) as { id: string }).id, written(result.outcome.startedAt));
  };

  const loop = async (once: () => Promise<void>) => {
    while (running) {
      if (options.routed?.() === false) {
        await sleep(20);
        continue;
      }
      await once();
      // Nobody listening (a restart): a client backs off instead of spinning.
      const refused = outcomes.at(-1)?.status === 'refused';
      await sleep(refused ? 100 : (options.pauseMs ?? 25));
    }
  };
  const loops = [
    ...Array.from({ length: options.readers ?? 3 }, () => loop(readOnce)),
    ...Array.from({ length: options.writers ?? 2 }, () => loop(writeOnce)),
  ];
  return {
    outcomes,
    starsWritten,
    filesWritten,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
