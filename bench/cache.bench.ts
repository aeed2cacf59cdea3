// Cache-hit path per driver against a plain Map get measured in the same run.
// Args: --iterations=N (memory; Redis does N/20 round trips).
import { Redis } from 'ioredis';
import { benchRedisOptions, redisReachable } from './support/redis.js';
import { MemoryCache } from '../src/platform/cache/memory-cache.js';
import { RedisCache } from '../src/platform/cache/redis-cache.js';
import { ioredisOptions } from '../src/platform/redis/redis-options.js';
import { createLogger } from '../src/platform/telemetry/logger.js';

const policy = {
  defaultTtlSeconds: 300,
  popularTtlSeconds: 3600,
  popularityThreshold: 50,
  popularityWindowSeconds: 3600,
  maxEntries: 10_000,
};

async function timeIt(iterations: number, fn: (i: number) => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await fn(i);
  return (performance.now() - started) / iterations; // ms per op
}

export async function run(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 200_000);
  const logger = createLogger({ level: 'silent' });
  const value = { id: 42, name: 'Vega', magnitude: 0.03, tags: ['bright', 'lyra'] };

  const map = new Map<string, unknown>();
  for (let i = 0; i < 100; i += 1) map.set(`star:${i}`, value);
  // `await` on a plain value too, so the baseline pays the same microtask as the drivers.
  const mapMs = await timeIt(iterations, (i) => map.get(`star:${i % 100}`));

  const memory = new MemoryCache(policy, { logger });
  for (let i = 0; i < 100; i += 1) await memory.set(`star:${i}`, value);
  const memoryMs = await timeIt(iterations, (i) => memory.get(`star:${i % 100}`));

  console.log(`map get          ${(mapMs * 1e6).toFixed(0).padStart(8)} ns/op  (baseline)`);
  console.log(
    `memory cache hit ${(memoryMs * 1e6).toFixed(0).padStart(8)} ns/op  ${(memoryMs / mapMs).toFixed(1)}× map`,
  );

  if (!(await redisReachable())) {
    console.log('redis cache hit  skipped: Redis is not reachable at 127.0.0.1:6379');
    return;
  }
  const options = benchRedisOptions;
  const client = new Redis(ioredisOptions(options, 'cache', 'command'));
  await new Promise((resolve) => client.once('ready', resolve));
  const redis = new RedisCache({ ...policy, keyPrefix: 'bench:cache:' }, { logger, client });
  for (let i = 0; i < 100; i += 1) await redis.set(`star:${i}`, value);
  const redisIterations = Math.max(1000, Math.floor(iterations / 20));
  const redisMs = await timeIt(redisIterations, (i) => redis.get(`star:${i % 100}`));
  // Many requests at once share the connection (ioredis pipelines them): what an API under load sees.
  const concurrent = 50;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrent }, async (_, c) => {
      for (let i = 0; i < redisIterations / concurrent; i += 1) await redis.get(`star:${(i + c) % 100}`);
    }),
  );
  const redisConcurrentMs = (performance.now() - started) / redisIterations;
  console.log(
    `redis cache hit  ${(redisMs * 1e6).toFixed(0).padStart(8)} ns/op  ${(redisMs / mapMs).toFixed(0)}× map (one at a time)`,
  );
  console.log(
    `redis cache hit  ${(redisConcurrentMs * 1e6).toFixed(0).padStart(8)} ns/op  ${(redisConcurrentMs / mapMs).toFixed(0)}× map (${concurrent} concurrent)`,
  );
  await redis.deleteByPrefix('');
  await redis.close();
}
