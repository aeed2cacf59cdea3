// The files module's settings. It has none of its own: it serves the platform's default container
// (AZURE_STORAGE_CONTAINER) with the platform's upload limit and link lifetime.
import Type, { type Static } from 'typebox';
import type { Settings } from '../../platform/config/settings-schema.js';

/** The fragment roles/ composes into the settings schema (empty: nothing files-only to set). */
export const FilesSettingsSchema = Type.Object({});

/** Everything a files part may read: its own settings (none) and the platform's. */
export type FilesSettings = Static<typeof FilesSettingsSchema> & Settings;
