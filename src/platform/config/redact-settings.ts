// The settings as they may be shown: secrets replaced, so `azimuth config`, start-up logs and
// /health can print them.
import { isSecret, type Settings } from './settings-schema.js';

export function redactSettings(settings: Settings): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [name, isSecret(name) ? '[REDACTED]' : value]),
  );
}
