// What each role runs on top of the shared platform: `api` serves the modules' routes, `worker`
// runs their jobs (and answers probes), `all` does both in one process.
import type { AzimuthSettings } from './settings.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { createModules } from './modules.js';
import { createPlatform } from './platform.js';
import { serve } from './serve.js';

export async function startRole(
  role: 'api' | 'worker' | 'all',
  settings: AzimuthSettings,
  logger: Logger,
): Promise<void> {
  const platform = await createPlatform(settings, logger, role);
  const modules = await createModules(platform, { settings, processJobs: role !== 'api' });
  await serve({
    platform,
    role,
    modules: role === 'worker' ? [] : modules.routes,
    stopSteps: [
      { name: 'workers', run: () => modules.stopWorkers() },
      { name: 'modules', run: () => modules.close() },
    ],
  });
}
