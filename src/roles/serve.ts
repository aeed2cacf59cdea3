// Runs a process role: builds the HTTP app from the platform (the API's modules, or none for a
// worker that only answers probes), listens, marks ready, and drains on a signal.
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildApp, type AppDeps } from '../http/app.js';
import type { AppModule } from '../http/app-types.js';
import { handleShutdownSignals, type ShutdownStep } from './graceful-shutdown.js';
import type { Platform } from './platform.js';

export interface ServeOptions {
  platform: Platform;
  role: string;
  modules: AppModule[];
  /** Role-specific work to stop before the ports close (job processors, …). */
  stopSteps?: ShutdownStep[];
}

/** web/dist beside src/ or dist/: the same two levels up from this file in both. */
const consoleRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** The web console for the roles that serve the API. */
function consoleOf({ settings }: Platform): NonNullable<AppDeps['console']> {
  const origin = (url: string | undefined) => (url === undefined ? [] : [new URL(url).origin]);
  const jwt = settings.AUTH_MODE === 'jwt';
  const { CONSOLE_ENTRA_CLIENT_ID: clientId, CONSOLE_ENTRA_API_SCOPE: scope } = settings;
  const authority = settings.CONSOLE_ENTRA_AUTHORITY;
  return {
    root: consoleRoot,
    mediaOrigins: origin(settings.BLOB_PUBLIC_BASE_URL ?? `http://localhost:${settings.PORT}`),
    identityOrigins: jwt ? [...new Set([...origin(settings.AUTH_JWKS_URL), ...origin(authority)])] : [],
    ...(jwt && clientId && scope ? { entra: { clientId, authority, scope } } : {}),
  };
}

/** The app's dependencies, taken from the platform. */
export function appDeps(platform: Platform, modules: AppModule[], role = 'all'): AppDeps {
  return {
    settings: platform.settings,
    logger: platform.logger,
    metrics: platform.metrics,
    health: platform.health,
    lifecycle: platform.lifecycle,
    ...(platform.authenticator ? { authenticator: platform.authenticator } : {}),
    ...(platform.rateLimitRedis ? { rateLimitRedis: platform.rateLimitRedis } : {}),
    modules,
    auditLog: platform.audit,
    ...(role === 'worker' ? {} : { console: consoleOf(platform) }),
  };
}

export async function serve({ platform, role, modules, stopSteps = [] }: ServeOptions): Promise<void> {
  const { settings, logger, lifecycle } = platform;
  const app = await buildApp(appDeps(platform, modules, role));

  handleShutdownSignals({
    logger,
    timeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
    onTimeout: () => app.server.closeAllConnections(),
    steps: [
      // Readiness turns 503 and every answer says Connection: close, while the listener stays
      // open: the load balancer notices and stops sending before we stop accepting, so nothing
      // it already sent is refused or reset.
      { name: 'stop taking traffic', run: async () => lifecycle.markDraining() },
      { name: 'drain delay', run: () => delay(settings.SHUTDOWN_DRAIN_DELAY_MS) },
      // Streams are told to reconnect (SSE `retry:`, WebSocket 1012), then the listener closes.
      { name: 'streams', run: () => lifecycle.drain() },
      { name: 'http', run: () => app.close() },
      ...stopSteps,
      { name: 'ports', run: () => platform.close() },
    ],
  });

  const address = await app.listen({ port: settings.PORT, host: settings.HOST });
  lifecycle.markReady();
  // No `role` field: the process logger's base already carries it (cli.ts).
  logger.info(
    {
      address,
      environment: settings.ENVIRONMENT,
      authMode: settings.AUTH_MODE,
      drivers: platform.describe(),
    },
    `azimuth ${role} ready on ${address}`,
  );
  if (role !== 'worker') {
    const base = address.replace(/\/\/(0\.0\.0\.0|\[::\])/, '//localhost');
    logger.info(`console ${base}/  ·  API docs ${base}/docs  ·  health ${base}/health`);
  }
}
