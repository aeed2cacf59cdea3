// The settings the process loads: the platform's schema and each module's own fragment, composed
// here (the platform knows no module's vocabulary). `config/.env.example` and the README's table
// are checked against this schema.
import Type, { type Static } from 'typebox';
import { FilesSettingsSchema } from '../modules/files/files-settings.js';
import { RecordingsSettingsSchema } from '../modules/recordings/recordings-settings.js';
import { ScansSettingsSchema } from '../modules/scans/scans-settings.js';
import { StarsSettingsSchema } from '../modules/stars/stars-settings.js';
import { loadSettings, type LoadSettingsOptions } from '../platform/config/load-settings.js';
import { SettingsSchema } from '../platform/config/settings-schema.js';

export const AzimuthSettingsSchema = Type.Object({
  ...SettingsSchema.properties,
  ...FilesSettingsSchema.properties,
  ...StarsSettingsSchema.properties,
  ...RecordingsSettingsSchema.properties,
  ...ScansSettingsSchema.properties,
});

export type AzimuthSettings = Static<typeof AzimuthSettingsSchema>;

/** Loads and validates every setting, the modules' included (see loadSettings). */
export function loadAzimuthSettings(options: LoadSettingsOptions = {}): Promise<AzimuthSettings> {
  return loadSettings({
    tablesNeededBy: (settings) => (settings.STARS_STORE === 'tables' ? 'STARS_STORE=tables' : undefined),
    ...options,
    schema: AzimuthSettingsSchema,
  });
}
