// The Star Map module's own settings (seed 003), composed into the settings schema in roles/, and
// what the module reads: these plus the platform settings it names.
import Type, { type Static } from 'typebox';
import { int, oneOf, str, type Settings } from '../../platform/config/settings-schema.js';

export const StarsSettingsSchema = Type.Object({
  STARS_STORE: oneOf(
    ['postgres', 'tables'],
    'Where stars, users and likes live: PostgreSQL (PGlite when DATABASE_URL is unset) or Azure Table Storage',
    'postgres',
  ),
  STARS_TABLE_PREFIX: str('Prefix of the stars tables in Table Storage (letters and digits)', {
    default: 'stars',
    pattern: '^[A-Za-z][A-Za-z0-9]{0,50}$',
  }),
  SSE_MAX_CONNECTIONS: int(
    'Open event streams (SSE) one instance serves; more are refused with 503',
    10_000,
    1,
  ),
});

export type StarsSettings = Static<typeof StarsSettingsSchema> &
  Pick<
    Settings,
    'ENVIRONMENT' | 'DEBUG' | 'API_RATE_LIMIT_TIMES' | 'API_RATE_LIMIT_SECONDS' | 'REDIS_POPULARITY_WINDOW'
  >;
