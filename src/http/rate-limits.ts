// Rate limiting: a global per-client ceiling plus the limits routes declare in
// `config.rateLimit`, with RateLimit-* headers and 429 problems. Counters live in Redis when
// configured (so limits hold across instances), in memory otherwise. When Redis is unreachable,
// API_RATE_LIMIT_FAIL_OPEN decides: let requests through, or refuse them with a 503.
// Which limit a route has is decided when the route is registered: a limited route gets one
// onRequest hook of its own (after the global ones, so the caller is known), an unlimited one
// (probes, metrics) gets none and pays nothing.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Redis } from 'ioredis';
import { errors } from '../platform/errors/app-error.js';
import { redisKeyPrefixes } from '../platform/redis/redis-key-prefixes.js';
import type { App } from './app-types.js';
import { createMemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { createRedisRateLimitStore } from './redis-rate-limit-store.js';
import { addRouteHook } from './route-hooks.js';

/** A route's own limit (`config.rateLimit`), counted per caller by the key the global one uses. */
export interface RouteRateLimit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's own limit instead of the global one, or false for none. */
    rateLimit?: RouteRateLimit | false;
  }
  interface FastifyInstance {
    /** A hook (onRequest or preHandler) counting `limit` under its own name, for handlers that are not routes. */
    rateLimitHook(limit: RouteRateLimit, name: string): RateLimitHook;
  }
}

export type RateLimitHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/** The per-user upload limit (seed 002's RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW_MS). */
export const uploadRateLimit = (settings: {
  UPLOAD_RATE_LIMIT_MAX_REQUESTS: number;
  UPLOAD_RATE_LIMIT_WINDOW_MS: number;
}): RouteRateLimit => ({
  max: settings.UPLOAD_RATE_LIMIT_MAX_REQUESTS,
  timeWindow: settings.UPLOAD_RATE_LIMIT_WINDOW_MS,
});

export interface RateLimitOptions {
  /** False only in the bench: the global ceiling is off (route limits and the 404 one still count). */
  enabled?: boolean;
  globalPerMinute: number;
  redis?: Redis;
  failOpen: boolean;
}

export function registerRateLimits(app: App, options: RateLimitOptions): void {
  const store = options.redis
    ? createRedisRateLimitStore({ redis: options.redis, keyPrefix: redisKeyPrefixes.rateLimit })
    : createMemoryRateLimitStore();
  const hookFor = (limit: RouteRateLimit, keyPrefix: string) =>
    rateLimitHook(store, limit, keyPrefix, options.failOpen);
  const global = hookFor({ max: options.globalPerMinute, timeWindow: 60_000 }, '');
  const enabled = options.enabled ?? true;
  app.decorate('rateLimitHook', (limit: RouteRateLimit, name: string) => hookFor(limit, `${name}-`));
  app.addHook('onRoute', (route) => {
    const limit = route.config?.rateLimit;
    if (limit === false || (limit === undefined && !enabled)) return;
    // A route's own counters are its own (method and URL template), as @fastify/rate-limit kept them.
    addRouteHook(
      route,
      'onRequest',
      limit === undefined ? global : hookFor(limit, `${String(route.method)}${route.url}-`),
    );
  });
}

/** Fail closed: a store error is a 503, not a 500. */
export const rateLimitUnavailable = () => errors.serviceUnavailable('Rate limiting is unavailable.', 5);

/**
 * Counts the request against `limit` for its caller (the token's subject, else the address):
 * headers when allowed, a 429 problem with Retry-After past the limit.
 */
function rateLimitHook(
  store: RateLimitStore,
  limit: RouteRateLimit,
  keyPrefix: string,
  failOpen: boolean,
): RateLimitHook {
  const { max, timeWindow } = limit;
  const maxHeader = String(max);
  const refusal = `Rate limit of ${max} requests per ${describeWindow(timeWindow)} exceeded.`;
  return (request, reply, done) => {
    const client = request.principal === null ? request.ip : request.principal.id;
    store.hit(keyPrefix + client, timeWindow, (error, count, ttlMs) => {
      if (error !== null) {
        done(failOpen ? undefined : rateLimitUnavailable());
        return;
      }
      const resetSeconds = Math.ceil(ttlMs / 1000);
      reply.header('ratelimit-limit', maxHeader);
      reply.header('ratelimit-remaining', count >= max ? 0 : max - count);
      reply.header('ratelimit-reset', resetSeconds);
      if (count <= max) {
        done();
        return;
      }
      // The problem carries Retry-After (problem.ts sets it from the error).
      done(errors.tooManyRequests(refusal, resetSeconds));
    });
  };
}

/** "1 minute", "15 minutes", "30 seconds". */
function describeWindow(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
