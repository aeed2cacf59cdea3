// `azimuth migrate`: applies (or with --status lists) database migrations. The data platform
// brings the migrations; until then there is nothing to apply.
import type { Settings } from '../platform/config/settings-schema.js';
import type { Logger } from '../platform/telemetry/logger.js';

export async function runMigrateCommand(
  _settings: Settings,
  logger: Logger,
  options: { status?: boolean },
): Promise<number> {
  logger.info({ status: options.status ?? false }, 'no migrations defined yet');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return 0;
}
