// Redis health shaped like seed 000's health_check(): status, latency, error.
import type { Redis } from 'ioredis';
import type { CheckResult, DependencyCheck, DependencyStatus } from '../health/dependency-check.js';

export interface RedisHealth {
  status: 'healthy' | 'unhealthy';
  /** Round trip of one PING in milliseconds, or null when it failed. */
  latencyMs: number | null;
  error?: string;
}

export async function pingRedis(client: Redis, signal?: AbortSignal): Promise<RedisHealth> {
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error('health check aborted'));
      if (signal?.aborted === true) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      client.ping().then(
        () => resolve(),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    return { status: 'healthy', latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unhealthy', latencyMs: null, error: message };
  }
}

export interface RedisCheckOptions {
  name: string;
  driver?: string;
  client: Redis;
  required: boolean;
  /** What /health shows when Redis does not answer: `degraded` for a cache, `unhealthy` for a queue. */
  whenDown: DependencyStatus;
}

export function redisCheck(options: RedisCheckOptions): DependencyCheck {
  return {
    name: options.name,
    driver: options.driver ?? 'redis',
    required: options.required,
    async check(signal: AbortSignal): Promise<CheckResult> {
      const health = await pingRedis(options.client, signal);
      const details = { latencyMs: health.latencyMs, connection: options.client.status };
      if (health.status === 'healthy') return { status: 'healthy', details };
      return { status: options.whenDown, error: health.error ?? 'unreachable', details };
    },
  };
}
