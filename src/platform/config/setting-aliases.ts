// The seeds' own setting names, accepted beside Azimuth's so their App Service settings work
// unchanged: each alias is copied to its canonical name with a notice, and an alias that
// disagrees with the canonical name (or with another alias of it) is a problem, never a guess.

export interface SettingAlias {
  alias: string;
  canonical: string;
  /** Where the name comes from, for the notice. */
  origin: string;
  /** Turns the alias's value into the canonical setting's format. */
  convert?: (value: string) => string;
}

/** A single URL or a comma-separated list becomes the JSON list API_CORS_ORIGINS expects. */
const toJsonList = (value: string): string =>
  value.trim().startsWith('[')
    ? value
    : JSON.stringify(
        value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      );

export const settingAliases: readonly SettingAlias[] = [
  { alias: 'APP_ENV', canonical: 'ENVIRONMENT', origin: 'seed 004' },
  { alias: 'NODE_ENV', canonical: 'ENVIRONMENT', origin: 'seed 002' },
  { alias: 'APP_LOG_LEVEL', canonical: 'LOG_LEVEL', origin: 'seed 004' },
  { alias: 'APP_DEBUG', canonical: 'DEBUG', origin: 'seed 004' },
  { alias: 'CORS_ORIGINS', canonical: 'API_CORS_ORIGINS', origin: 'seed 004', convert: toJsonList },
  { alias: 'FRONTEND_URL', canonical: 'API_CORS_ORIGINS', origin: 'seed 002', convert: toJsonList },
  { alias: 'AZURE_OPENAI_DEPLOYMENT', canonical: 'AZURE_OPENAI_CHAT_DEPLOYMENT', origin: 'seed 004' },
  { alias: 'AZURE_REDIS_URL', canonical: 'REDIS_URL', origin: 'seed 000' },
  { alias: 'RATE_LIMIT_MAX_REQUESTS', canonical: 'UPLOAD_RATE_LIMIT_MAX_REQUESTS', origin: 'seed 002' },
  { alias: 'RATE_LIMIT_WINDOW_MS', canonical: 'UPLOAD_RATE_LIMIT_WINDOW_MS', origin: 'seed 002' },
];

export interface AliasResult {
  /** The variables with every alias copied to its canonical name. */
  env: Record<string, string | undefined>;
  /** One line per alias in use, for the start-up log. */
  notices: string[];
  /** One line per conflict, naming both settings. */
  problems: string[];
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** Comparable form: JSON lists compare by content, words by case (NODE_ENV=Production). */
function normalise(canonical: string, value: string): string {
  const trimmed = value.trim();
  if (canonical === 'API_CORS_ORIGINS') {
    try {
      return JSON.stringify(JSON.parse(trimmed));
    } catch {
      return trimmed;
    }
  }
  return canonical === 'ENVIRONMENT' || canonical === 'LOG_LEVEL' || canonical === 'DEBUG'
    ? trimmed.toLowerCase()
    : trimmed;
}

export function applySettingAliases(source: Record<string, string | undefined>): AliasResult {
  const env = { ...source };
  const notices: string[] = [];
  const problems: string[] = [];
  // Which name gave each canonical its value, so a conflict names both sides.
  const givenBy = new Map<string, string>();
  for (const name of new Set(settingAliases.map((a) => a.canonical))) {
    if (isSet(source[name])) givenBy.set(name, name);
  }
  for (const { alias, canonical, origin, convert } of settingAliases) {
    const raw = source[alias];
    if (!isSet(raw)) continue;
    const value = convert ? convert(raw) : raw.trim();
    const current = env[canonical];
    const holder = givenBy.get(canonical);
    if (holder !== undefined && isSet(current)) {
      if (normalise(canonical, current) !== normalise(canonical, value)) {
        problems.push(
          `${alias}: alias of ${canonical} (${origin}) is set to a different value than ${holder}; set only one`,
        );
      }
      continue;
    }
    env[canonical] = value;
    givenBy.set(canonical, alias);
    notices.push(`${alias} is read as ${canonical} (${origin} name); prefer ${canonical}`);
  }
  return { env, notices, problems };
}
