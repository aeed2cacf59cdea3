// The composition root: turns settings into the ports every role shares, choosing each
// driver from configuration here and nowhere else, and closes them again on shutdown.
import { createJwtAuthenticator, type Authenticator } from '../platform/auth/authenticator.js';
import type { Settings } from '../platform/config/settings-schema.js';
import { createHealthRegistry, type HealthRegistry } from '../platform/health/health-registry.js';
import { createLifecycle, type Lifecycle } from '../platform/health/lifecycle.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { createMetricsRegistry, type Registry } from '../platform/telemetry/metrics.js';

export interface Platform {
  settings: Settings;
  logger: Logger;
  metrics: Registry;
  health: HealthRegistry;
  lifecycle: Lifecycle;
  authenticator?: Authenticator;
  /** `name=driver` for every dependency, for the start-up line. */
  describe(): string;
  /** Closes every port's connections, last opened first. */
  close(): Promise<void>;
}

export function createPlatform(settings: Settings, logger: Logger, role: string): Platform {
  const closers: (() => Promise<void>)[] = [];
  const health = createHealthRegistry();
  const authenticator =
    settings.AUTH_MODE === 'jwt'
      ? createJwtAuthenticator({
          ...(settings.AUTH_JWT_SECRET ? { secret: settings.AUTH_JWT_SECRET } : {}),
          ...(settings.AUTH_JWKS_URL ? { jwksUrl: settings.AUTH_JWKS_URL } : {}),
          ...(settings.AUTH_JWT_ISSUER ? { issuer: settings.AUTH_JWT_ISSUER } : {}),
          ...(settings.AUTH_JWT_AUDIENCE ? { audience: settings.AUTH_JWT_AUDIENCE } : {}),
        })
      : undefined;

  return {
    settings,
    logger,
    metrics: createMetricsRegistry({ service: 'azimuth', role }),
    health,
    lifecycle: createLifecycle(),
    ...(authenticator ? { authenticator } : {}),
    describe: () => health.checks.map((c) => `${c.name}=${c.driver}`).join(', ') || 'none',
    async close() {
      for (const close of closers.reverse()) {
        await close().catch((error: unknown) => logger.error({ err: error }, 'closing a dependency failed'));
      }
    },
  };
}
