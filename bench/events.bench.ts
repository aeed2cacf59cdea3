// Event publish-to-receive latency, p50/p99: across two processes on Redis, against the in-process
// memory bus measured in the same run. Args: --events=N (default 1000).
import { spawn } from 'node:child_process';
import { benchRedisOptions, redisReachable } from './support/redis.js';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { MemoryEventBus } from '../src/platform/events/memory-event-bus.js';
import { RedisEventBus } from '../src/platform/events/redis-event-bus.js';
import { ioredisOptions } from '../src/platform/redis/redis-options.js';
import { createLogger } from '../src/platform/telemetry/logger.js';
import { epochMs, percentile } from './support/percentiles.js';

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

export async function run(args: string[]): Promise<void> {
  const count = Number(args.find((a) => a.startsWith('--events='))?.split('=')[1] ?? 1000);
  const logger = createLogger({ level: 'silent' });

  const memory = new MemoryEventBus({ replaySize: 1000 }, { logger });
  const local: number[] = [];
  const sub = memory.subscribe<{ t: number }>('bench', { onEvent: (e) => local.push(epochMs() - e.data.t) });
  await sub.ready;
  for (let i = 0; i < count; i += 1) {
    await memory.publish('bench', { t: epochMs() });
    await pause();
  }
  const line = (label: string, xs: number[], base?: number[]) =>
    console.log(
      `${label.padEnd(28)} p50 ${percentile(xs, 50).toFixed(3)} ms  p99 ${percentile(xs, 99).toFixed(3)} ms` +
        (base === undefined
          ? '  (baseline)'
          : `  ${(percentile(xs, 50) / percentile(base, 50)).toFixed(0)}× p50`),
    );
  line('memory, same process', local);

  if (!(await redisReachable())) {
    console.log('redis, two processes         skipped: Redis is not reachable at 127.0.0.1:6379');
    return;
  }
  const prefix = `bench:events:${process.pid}:`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fixtures/event-receiver.ts', import.meta.url))],
    {
      env: { ...process.env, EVENTS: String(count), PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('ready\n')) resolve();
    }),
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await ready;
  const options = benchRedisOptions;
  const publisher = new Redis(ioredisOptions(options, 'events', 'command'));
  await new Promise((resolve) => publisher.once('ready', resolve));
  const bus = new RedisEventBus(
    { replaySize: 1000, prefix },
    { logger, publisher, subscriber: new Redis(ioredisOptions(options, 'events', 'subscriber')) },
  );
  for (let i = 0; i < count; i += 1) {
    await bus.publish('bench', { t: epochMs() });
    await pause();
  }
  await exited;
  const remote = JSON.parse(output.split('\n').find((l) => l.startsWith('[')) ?? '[]') as number[];
  line('redis, publisher → other process', remote, local);
  await publisher.del(`${prefix}bench`);
  await bus.close();
  await memory.close();
}
