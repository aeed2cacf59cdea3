// Builds the app the way the roles do, with a logger whose lines the test can read back.
import { Writable } from 'node:stream';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import type { App } from '../../src/http/app-types.js';
import { createJwtAuthenticator } from '../../src/platform/auth/authenticator.js';
import { createHealthRegistry } from '../../src/platform/health/health-registry.js';
import { createLifecycle } from '../../src/platform/health/lifecycle.js';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { createMetricsRegistry } from '../../src/platform/telemetry/metrics.js';
import { testSettings } from './test-settings.js';

export const testJwtSecret = 'test-secret-that-is-at-least-32-characters-long';

export interface TestApp {
  app: App;
  deps: AppDeps;
  /** Every log line written so far, parsed. */
  logs(): Record<string, unknown>[];
}

export async function buildTestApp(
  options: {
    env?: Record<string, string>;
    modules?: AppDeps['modules'];
    ready?: boolean;
    console?: AppDeps['console'];
  } = {},
): Promise<TestApp> {
  const settings = await testSettings({ LOG_LEVEL: 'info', ...options.env });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: settings.LOG_LEVEL, destination });
  const lifecycle = createLifecycle();
  const deps: AppDeps = {
    settings,
    logger,
    metrics: createMetricsRegistry(),
    health: createHealthRegistry({ timeoutMs: 500 }),
    lifecycle,
    ...(settings.AUTH_MODE === 'jwt'
      ? { authenticator: createJwtAuthenticator({ secret: settings.AUTH_JWT_SECRET ?? testJwtSecret }) }
      : {}),
    modules: options.modules ?? [],
    ...(options.console ? { console: options.console } : {}),
  };
  const app = await buildApp(deps);
  await app.ready();
  if (options.ready !== false) lifecycle.markReady();
  return { app, deps, logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
