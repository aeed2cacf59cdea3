// Staging and production must never start on the embedded drivers (PGlite, in-memory Redis
// stand-ins, the local disk, no LLM): on App Service they would lose data at the next restart
// and split state between instances. ALLOW_EMBEDDED_DRIVERS lets a named one through on purpose.
import type { Settings } from './settings-schema.js';

export type EmbeddableDriver = Settings['ALLOW_EMBEDDED_DRIVERS'][number];

type GuardedSettings = Pick<
  Settings,
  | 'ENVIRONMENT'
  | 'ALLOW_EMBEDDED_DRIVERS'
  | 'DATABASE_URL'
  | 'REDIS_URL'
  | 'REDIS_HOST'
  | 'AZURE_STORAGE_CONNECTION_STRING'
  | 'AZURE_STORAGE_ACCOUNT_NAME'
  | 'AZURE_STORAGE_ACCOUNT_URL'
  | 'LLM_PROVIDER'
>;

const checks: { driver: EmbeddableDriver; embedded: (s: GuardedSettings) => boolean; problem: string }[] = [
  {
    driver: 'database',
    embedded: (s) => !s.DATABASE_URL,
    problem: 'DATABASE_URL: not set, so the database would be embedded PGlite on the instance disk',
  },
  {
    driver: 'redis',
    embedded: (s) => !s.REDIS_URL && !s.REDIS_HOST,
    problem:
      'REDIS_URL: neither REDIS_URL nor REDIS_HOST is set, so cache, events, jobs and rate limits would be in memory per process',
  },
  {
    driver: 'storage',
    embedded: (s) =>
      !s.AZURE_STORAGE_CONNECTION_STRING && !s.AZURE_STORAGE_ACCOUNT_NAME && !s.AZURE_STORAGE_ACCOUNT_URL,
    problem:
      'AZURE_STORAGE_ACCOUNT_URL: no AZURE_STORAGE_* credential is set, so blobs would be kept on the local disk',
  },
  {
    driver: 'llm',
    embedded: (s) => s.LLM_PROVIDER === 'none',
    problem: 'LLM_PROVIDER: "none" would skip transcription and insights',
  },
];

/**
 * One line per embedded driver that staging or production would start with; empty elsewhere.
 * Each line names the setting and ends with how to allow it deliberately.
 */
export function productionGuardProblems(settings: GuardedSettings): string[] {
  if (settings.ENVIRONMENT !== 'staging' && settings.ENVIRONMENT !== 'production') return [];
  return checks
    .filter(({ driver, embedded }) => embedded(settings) && !settings.ALLOW_EMBEDDED_DRIVERS.includes(driver))
    .map(
      ({ driver, problem }) =>
        `${problem} (not allowed in ${settings.ENVIRONMENT}; ALLOW_EMBEDDED_DRIVERS=["${driver}"] allows it)`,
    );
}
