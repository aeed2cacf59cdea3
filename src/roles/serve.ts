// Runs a process role: builds the HTTP app from the platform (the API's modules, or none for a
// worker that only answers probes), listens, marks ready, and drains on a signal.
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

/** The app's dependencies, taken from the platform. */
export function appDeps(platform: Platform, modules: AppModule[]): AppDeps {
  return {
    settings: platform.settings,
    logger: platform.logger,
    metrics: platform.metrics,
    health: platform.health,
    lifecycle: platform.lifecycle,
    ...(platform.authenticator ? { authenticator: platform.authenticator } : {}),
    ...(platform.rateLimitRedis ? { rateLimitRedis: platform.rateLimitRedis } : {}),
    modules,
  };
}

export async function serve({ platform, role, modules, stopSteps = [] }: ServeOptions): Promise<void> {
  const { settings, logger, lifecycle } = platform;
  const app = await buildApp(appDeps(platform, modules));

  handleShutdownSignals({
    logger,
    timeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
    onTimeout: () => app.server.closeAllConnections(),
    steps: [
      { name: 'drain', run: () => lifecycle.drain() },
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
}
