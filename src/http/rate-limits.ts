// Rate limiting: a global per-client ceiling plus the limits routes declare in
// `config.rateLimit`, with RateLimit-* headers and 429 problems. Counters live in Redis when
// configured (so limits hold across instances), in memory otherwise. When Redis is unreachable,
// API_RATE_LIMIT_FAIL_OPEN decides: let requests through, or refuse them with a 503.
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { errors, isAppError } from '../platform/errors/app-error.js';
import { redisKeyPrefixes } from '../platform/redis/redis-key-prefixes.js';
import type { App } from './app-types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** True while the rate limiter runs (the onRequest stage), so its store's errors can be told apart. */
    inRateLimitStage: boolean;
  }
}

/** A route's own limit (`config.rateLimit`), counted per caller by the key the global one uses. */
export interface RouteRateLimit {
  max: number;
  /** Milliseconds. */
  timeWindow: number;
}

/** The per-user upload limit (seed 002's RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW_MS). */
export const uploadRateLimit = (settings: {
  UPLOAD_RATE_LIMIT_MAX_REQUESTS: number;
  UPLOAD_RATE_LIMIT_WINDOW_MS: number;
}): RouteRateLimit => ({
  max: settings.UPLOAD_RATE_LIMIT_MAX_REQUESTS,
  timeWindow: settings.UPLOAD_RATE_LIMIT_WINDOW_MS,
});

export interface RateLimitOptions {
  /** False only in the bench: no route is limited (app.rateLimit still exists for the 404 handler). */
  enabled?: boolean;
  globalPerMinute: number;
  redis?: Redis;
  failOpen: boolean;
}

export async function registerRateLimits(app: App, options: RateLimitOptions) {
  app.decorateRequest('inRateLimitStage', false);
  const enabled = options.enabled ?? true;
  if (enabled) registerStageFlag(app);
  await app.register(rateLimit, {
    global: enabled,
    max: options.globalPerMinute,
    timeWindow: 60_000,
    enableDraftSpec: true,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    ...(options.redis ? { redis: options.redis, nameSpace: redisKeyPrefixes.rateLimit } : {}),
    skipOnError: options.failOpen,
    errorResponseBuilder: (_request, context) =>
      errors.tooManyRequests(
        `Rate limit of ${context.max} requests per ${context.after} exceeded.`,
        Math.ceil(context.ttl / 1000),
      ),
  });
}

function registerStageFlag(app: App) {
  // The plugin's per-route checks run after global onRequest hooks and before parsing.
  app.addHook('onRequest', (request, _reply, done) => {
    request.inRateLimitStage = true;
    done();
  });
  app.addHook('preParsing', (request, _reply, payload, done) => {
    request.inRateLimitStage = false;
    done(null, payload);
  });
}

/** Fail closed: a store error during the rate-limit stage is a 503, not a 500. */
export const rateLimitUnavailable = () => errors.serviceUnavailable('Rate limiting is unavailable.', 5);

/**
 * A limiter used as a hook outside the rate-limit stage (the 404 handler's), failing closed like
 * the others: its 429 passes through, a store error becomes rateLimitUnavailable().
 */
export function failClosed(limiter: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await limiter(request, reply);
    } catch (error) {
      throw isAppError(error) ? error : rateLimitUnavailable();
    }
  };
}
