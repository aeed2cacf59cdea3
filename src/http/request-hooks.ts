// Everything that runs on every request, in order: correlation context and request log, draining
// notice, security headers, CORS, caller identity, refusal audit, upload guard, stream slots, rate limits; and how schemas are compiled.
// The bench builds the app without one feature at a time (request-features.ts) to measure each.
import type { AppDeps } from './app.js';
import type { App } from './app-types.js';
import { registerCors } from './api-cors.js';
import { registerAuth } from './auth.js';
import { registerRateLimits } from './rate-limits.js';
import { registerFiniteNumbers } from './finite-numbers.js';
import { featureOn } from './request-features.js';
import { registerRefusalAudit } from './refusal-audit.js';
import { registerRequestTracking } from './request-tracking.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerStreamSlots } from './stream-slots.js';
import { registerUploadGuard } from './upload-guard.js';

export async function registerRequestHooks(app: App, deps: AppDeps) {
  const { settings } = deps;
  const on = (feature: Parameters<typeof featureOn>[1]) => featureOn(deps.featuresOff, feature);
  registerRequestTracking(app, {
    metrics: deps.metrics,
    correlationContext: on('correlation-context'),
    requestLog: on('request-log'),
    histogram: on('metrics'),
  });
  // While draining, tell keep-alive clients to go, so the connection closes after this response
  // and the server can finish closing.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (deps.lifecycle.state === 'draining') reply.header('connection', 'close');
    done(null, payload);
  });
  // Before auth and rate limits, so their refusals carry the headers too.
  if (on('security-headers')) registerSecurityHeaders(app);
  if (on('cors')) registerCors(app, settings.API_CORS_ORIGINS);
  registerAuth(app, on('auth') ? deps.authenticator : undefined, deps.authenticator !== undefined);
  if (deps.auditLog) registerRefusalAudit(app, deps.auditLog);
  registerUploadGuard(app, { idleTimeoutMs: settings.UPLOAD_IDLE_TIMEOUT_MS });
  registerStreamSlots(app, settings.API_MAX_STREAMS_PER_CLIENT);
  registerRateLimits(app, {
    enabled: on('rate-limit'),
    globalPerMinute: settings.API_RATE_LIMIT_GLOBAL,
    failOpen: settings.API_RATE_LIMIT_FAIL_OPEN,
    ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis } : {}),
  });
  registerFiniteNumbers(app);
  // Bench only: what Ajv's compiled validators and the compiled serializers cost per request.
  if (!on('validation')) app.setValidatorCompiler(() => () => true);
  if (!on('serialization')) app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
