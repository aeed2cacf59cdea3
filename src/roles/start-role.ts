// What each role runs on top of the shared platform: `api` serves the modules' routes, `worker`
// runs their jobs (and answers probes), `all` does both in one process.
import type { Settings } from '../platform/config/settings-schema.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { createModules } from './modules.js';
import { createPlatform } from './platform.js';
import { serve } from './serve.js';

export async function startRole(
  role: 'api' | 'worker' | 'all',
  settings: Settings,
  logger: Logger,
): Promise<void> {
  const platform = await createPlatform(settings, logger, role);
  const modules = await createModules(platform, { processJobs: role !== 'api' });
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
