// The files module's settings. It has none of its own: it serves the platform's default container
// (AZURE_STORAGE_CONTAINER) with the platform's upload limit and link lifetime.
import Type from 'typebox';
import type { Settings } from '../../platform/config/settings-schema.js';

/** The fragment roles/ composes into the settings schema (empty: nothing files-only to set). */
export const FilesSettingsSchema = Type.Object({});

export type FilesSettings = Pick<
  Settings,
  'AZURE_STORAGE_CONTAINER' | 'MAX_UPLOAD_MB' | 'BLOB_SAS_TTL_SECONDS' | 'AZURE_REGION'
>;
