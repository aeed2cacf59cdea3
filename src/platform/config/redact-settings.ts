// The settings as they may be shown: secrets replaced, so `azimuth config`, start-up logs and
// /health can print them.
import type { TObject } from 'typebox';
import { isSecret, SettingsSchema } from './settings-schema.js';

export function redactSettings(settings: object, schema: TObject = SettingsSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [name, isSecret(name, schema) ? '[REDACTED]' : value]),
  );
}
