// Start-up warning for Anthropic models announced as retiring. The list is the installed SDK's own
// (the one it console.warns from on every call); reading it here means one clear line at start-up
// naming the setting, and a newer SDK brings newer announcements without a change here.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../telemetry/logger.js';

/** Model → the end-of-life date as the SDK words it (`November 30th, 2026`). */
export type RetiringModels = Readonly<Record<string, string>>;

/**
 * The SDK's deprecation list. The SDK does not export it, so it is read from its file; a layout
 * change in a future SDK yields an empty list (no warning) rather than a failed start-up.
 */
export async function loadRetiringAnthropicModels(): Promise<RetiringModels> {
  try {
    const entry = createRequire(import.meta.url).resolve('@anthropic-ai/sdk');
    const file = join(dirname(entry), 'internal', 'data', 'deprecated-models.mjs');
    const loaded = (await import(pathToFileURL(file).href)) as { DEPRECATED_MODELS?: unknown };
    const list = loaded.DEPRECATED_MODELS;
    if (typeof list !== 'object' || list === null) return {};
    return Object.fromEntries(
      Object.entries(list).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Logs one warning per configured Anthropic model (setting → model) that is announced as retiring. */
export function warnAboutRetiringModels(options: {
  models: Record<string, string | undefined>;
  retiring: RetiringModels;
  logger: Pick<Logger, 'warn'>;
}): string[] {
  const warned: string[] = [];
  for (const [setting, model] of Object.entries(options.models)) {
    if (model === undefined) continue;
    const endOfLife = options.retiring[model];
    if (endOfLife === undefined) continue;
    warned.push(setting);
    options.logger.warn(
      { setting, model, endOfLife },
      `${setting}=${model} is announced as retiring on ${endOfLife}; choose a current model before then`,
    );
  }
  return warned;
}
