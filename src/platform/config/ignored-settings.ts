// Settings the seeds name that Azimuth does not read, on purpose. A seed's App Service settings
// copied over unchanged would otherwise be dropped in silence, and an operator would believe,
// say, LOG_FORMAT shapes the logs. Start-up warns once with the ones present, and `azimuth
// config` lists them; neither prints a value (SUPABASE_SERVICE_ROLE_KEY is a secret).
// (The seeds' names Azimuth does read under its own name are in setting-aliases.ts.)

export interface IgnoredSetting {
  name: string;
  /** The seed that names it. */
  origin: string;
  /** Why Azimuth ignores it, and what to set instead when there is something. */
  why: string;
}

export const ignoredSettings: readonly IgnoredSetting[] = [
  {
    name: 'SUPABASE_URL',
    origin: 'seed 002',
    why: 'recordings live in PostgreSQL (DATABASE_URL), callers are authenticated by AUTH_MODE; no Supabase',
  },
  { name: 'SUPABASE_SERVICE_ROLE_KEY', origin: 'seed 002', why: 'no Supabase (see SUPABASE_URL)' },
  {
    name: 'LOG_FORMAT',
    origin: 'seed 003',
    why: 'a Python logging format string; Azimuth writes JSON lines (readable ones on a terminal in development)',
  },
  { name: 'S3_BUCKET', origin: 'seed 001', why: 'no S3 driver; blobs go to AZURE_STORAGE_CONTAINER' },
  { name: 'S3_ENABLED', origin: 'seed 001', why: 'no S3 driver; the blob driver follows AZURE_STORAGE_*' },
  { name: 'AWS_REGION', origin: 'seed 001', why: 'no AWS; the region is the storage account’s' },
  {
    name: 'STORAGE_CONTAINER',
    origin: 'seed 001',
    why: 'the seed’s migration note; its own settings, and Azimuth, use AZURE_STORAGE_CONTAINER',
  },
  {
    name: 'SAILPOINT_BASE_URL',
    origin: 'seed 004',
    why: 'the seed’s SailPoint integration is not part of Azimuth',
  },
  { name: 'SAILPOINT_CLIENT_ID', origin: 'seed 004', why: 'no SailPoint integration' },
  { name: 'SAILPOINT_CLIENT_SECRET', origin: 'seed 004', why: 'no SailPoint integration' },
];

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** The ignored settings present in `env`, in table order. */
export function ignoredSettingsIn(env: Record<string, string | undefined>): IgnoredSetting[] {
  return ignoredSettings.filter(({ name }) => isSet(env[name]));
}

/** One warning line naming every ignored setting present, with why; undefined when none is. */
export function ignoredSettingsNotice(env: Record<string, string | undefined>): string | undefined {
  const present = ignoredSettingsIn(env);
  if (present.length === 0) return undefined;
  const list = present.map(({ name, origin, why }) => `${name} (${origin}: ${why})`).join('; ');
  return `seed settings Azimuth ignores on purpose are set: ${list}`;
}
