// The platform's settings in one typed schema (names, types, defaults, documentation), and the
// builders every module's settings fragment uses. roles/settings.ts composes them into the schema
// the process loads; `config/.env.example` and the README's table are checked against that.
import Type, { type Static, type TObject, type TSchema } from 'typebox';

/** Marks a setting whose value must never be printed or logged. */
export const secret = { secret: true } as const;

export const str = (description: string, extra: object = {}) => Type.String({ description, ...extra });
export const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
export const int = (description: string, defaultValue: number, minimum = 0, maximum?: number) =>
  Type.Integer({
    description,
    default: defaultValue,
    minimum,
    ...(maximum === undefined ? {} : { maximum }),
  });
export const bool = (description: string, defaultValue: boolean) =>
  Type.Boolean({ description, default: defaultValue });
export const oneOf = <const T extends string[]>(
  values: readonly [...T],
  description: string,
  defaultValue?: T[number],
) => Type.Enum(values, { description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

export const environments = ['development', 'test', 'staging', 'production'] as const;
export type Environment = (typeof environments)[number];

export const llmProviders = ['none', 'azure_openai', 'openai', 'anthropic'] as const;
export const llmTranscribeProviders = ['azure_openai', 'openai'] as const;

/** What one model costs, in USD; a missing price counts as 0. */
export const LlmPriceSchema = Type.Object(
  {
    inputPer1kTokens: opt(Type.Number({ minimum: 0 })),
    outputPer1kTokens: opt(Type.Number({ minimum: 0 })),
    perAudioMinute: opt(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** List prices (USD) when LLM_PRICES is not set; `whisper` is seed 002's Azure deployment name. */
const defaultLlmPrices = {
  'whisper-1': { perAudioMinute: 0.006 },
  whisper: { perAudioMinute: 0.006 },
  'gpt-4o-mini': { inputPer1kTokens: 0.00015, outputPer1kTokens: 0.0006 },
  'gpt-4o': { inputPer1kTokens: 0.0025, outputPer1kTokens: 0.01 },
  'claude-sonnet-4-5': { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
  // Anthropic's published rate for Sonnet 5.5 (the ANTHROPIC_MODEL default): $2 / $10 per MTok.
  'claude-sonnet-5-5': { inputPer1kTokens: 0.002, outputPer1kTokens: 0.01 },
};

export const SettingsSchema = Type.Object({
  // Application (seed 003: ENVIRONMENT, PORT, DEBUG, PROJECT_NAME, VERSION; seed 004: APP_ENV alias)
  ENVIRONMENT: oneOf(environments, 'Deployment environment (alias APP_ENV)', 'development'),
  PORT: int('HTTP port the API listens on', 8080, 0, 65535),
  HOST: str('Interface the API binds to', { default: '0.0.0.0' }),
  DEBUG: bool(
    'Enables debug features (debug endpoints, detailed errors); never honoured in production',
    false,
  ),
  PROJECT_NAME: str('API name shown in the OpenAPI document', { default: 'Azimuth' }),
  VERSION: str('API version shown in the OpenAPI document and /health', { default: '0.1.0' }),
  DATA_DIR: str('Where embedded drivers keep their files (PGlite, blobs)', { default: './data' }),
  SHUTDOWN_TIMEOUT_MS: int(
    'Longest wait for in-flight requests on SIGTERM before connections are cut',
    30_000,
  ),
  SHUTDOWN_DRAIN_DELAY_MS: int(
    'On SIGTERM, how long the API keeps answering (readiness 503, Connection: close) before it stops accepting, so the load balancer stops sending first; part of SHUTDOWN_TIMEOUT_MS',
    5000,
  ),
  ALLOW_EMBEDDED_DRIVERS: Type.Array(Type.Enum(['database', 'redis', 'storage', 'llm']), {
    description:
      'Embedded drivers staging and production may start with anyway, as a JSON list, e.g. ["llm"]; none by default',
    default: [],
  }),

  // Logging (seed 003 prefix LOG_)
  LOG_LEVEL: oneOf(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    'Log level; Python names (WARNING, CRITICAL) are accepted too',
    'info',
  ),

  // Telemetry (seed 000)
  APPLICATIONINSIGHTS_CONNECTION_STRING: opt(
    str('Application Insights connection string; OpenTelemetry is loaded only when set', secret),
  ),
  APPLICATIONINSIGHTS_SAMPLING_RATIO: Type.Number({
    description:
      'Share of requests traced to Application Insights, 0–1, when APPLICATIONINSIGHTS_TRACES_PER_SECOND is 0',
    default: 1,
    minimum: 0,
    maximum: 1,
  }),
  APPLICATIONINSIGHTS_TRACES_PER_SECOND: Type.Number({
    description:
      'Traces kept per second per instance, rate-limited (seed 004: 5 in production); failed and slow requests are kept regardless; 0 turns the limit off (then SAMPLING_RATIO applies)',
    default: 5,
    minimum: 0,
  }),
  APPLICATIONINSIGHTS_SLOW_REQUEST_MS: int(
    'Requests at least this slow are always sent to Application Insights, whatever the sampling',
    5000,
    1,
  ),
  APPLICATIONINSIGHTS_MANAGED_IDENTITY: bool(
    'Authenticate telemetry ingestion with managed identity (role: Monitoring Metrics Publisher)',
    false,
  ),
  APPLICATIONINSIGHTS_METRIC_PERIOD_MS: int(
    'How often metrics are exported to Application Insights',
    60_000,
    1000,
  ),

  // HTTP API (seed 003 prefix API_, seed 001 global limit)
  API_CORS_ORIGINS: Type.Array(Type.String(), {
    description: 'Allowed CORS origins, as a JSON list',
    default: ['http://localhost:3000'],
  }),
  API_RATE_LIMIT_GLOBAL: int('Requests per minute per client across the whole API', 1000, 1),
  API_RATE_LIMIT_TIMES: int('Requests per window per client on rate-limited write routes', 5, 1),
  API_RATE_LIMIT_SECONDS: int('Window of the per-route rate limit, in seconds', 60, 1),
  API_RATE_LIMIT_FAIL_OPEN: bool('Let requests through when the rate-limit store (Redis) is down', true),
  API_TRUST_PROXY: bool(
    'Trust X-Forwarded-* from a front end (App Service); on by default in staging and production',
    false,
  ),
  API_BODY_LIMIT_BYTES: int('Largest JSON request body, in bytes', 1_048_576, 1),
  API_HEADERS_TIMEOUT_MS: int('Longest a client may take to send the request headers', 20_000, 1),
  API_REQUEST_TIMEOUT_MS: int(
    'Longest a client may take to send a whole request, body included (uploads too)',
    300_000,
    1,
  ),
  API_KEEP_ALIVE_TIMEOUT_MS: int(
    'Idle keep-alive connections are closed after this long; keep it above the front end’s idle timeout (Azure: 230 s)',
    240_000,
    1,
  ),
  API_MAX_STREAMS_PER_CLIENT: int(
    'Event streams and WebSockets one client (token subject, else IP address) may hold open at once',
    20,
    1,
  ),
  UPLOAD_IDLE_TIMEOUT_MS: int(
    'An upload that sends nothing for this long fails with 400 and leaves nothing behind',
    30_000,
    1,
  ),
  MAX_UPLOAD_MB: int('Largest file upload, in MB', 100, 1),

  // Auth
  AUTH_MODE: oneOf(['none', 'jwt'], 'none: callers name themselves (development, test); jwt: bearer tokens'),
  AUTH_JWT_SECRET: opt(
    str('Shared HS256 secret for bearer tokens (and `azimuth token`)', { ...secret, minLength: 32 }),
  ),
  AUTH_JWKS_URL: opt(
    str(
      'JWKS URL for RS256 tokens (Entra ID: https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys)',
    ),
  ),
  AUTH_JWT_ISSUER: opt(str('Expected token issuer')),
  AUTH_JWT_AUDIENCE: opt(str('Expected token audience')),
  CONSOLE_ENTRA_CLIENT_ID: opt(
    str('AUTH_MODE=jwt: client id of the console’s app registration (a SPA; public, not a secret)'),
  ),
  CONSOLE_ENTRA_AUTHORITY: str('AUTH_MODE=jwt: where the console signs in (Entra ID: …/{tenant id})', {
    default: 'https://login.microsoftonline.com/organizations',
  }),
  CONSOLE_ENTRA_API_SCOPE: opt(
    str('AUTH_MODE=jwt: the API scope the console asks for, e.g. api://{API client id}/access_as_user'),
  ),

  // Database (seed 004)
  DATABASE_URL: opt(str('PostgreSQL URL; when unset, embedded PGlite under DATA_DIR', secret)),
  DATABASE_POOL_SIZE: int('Connections per process', 10, 1),
  DATABASE_IDLE_TIMEOUT_MS: int('Idle connections are closed after this long', 30_000),
  DATABASE_MAX_LIFETIME_S: int('Connections are recycled after this many seconds', 1800),
  DATABASE_STATEMENT_TIMEOUT_MS: int('Longest a query may run (client-side, PgBouncer-safe)', 30_000),
  DATABASE_AUTO_MIGRATE: opt(
    Type.Boolean({
      description:
        'Migrate at start-up; default: yes, except with DATABASE_URL in staging and production (run `azimuth migrate`)',
    }),
  ),

  // Redis (seed 003 prefix REDIS_, seed 004 database table)
  REDIS_URL: opt(str('redis:// or rediss:// URL; takes precedence over REDIS_HOST', secret)),
  REDIS_HOST: opt(str('Redis host; when neither this nor REDIS_URL is set, embedded in-memory drivers')),
  REDIS_PORT: int('Redis port (Azure Managed Redis: 10000 with TLS)', 6379, 1, 65535),
  REDIS_PASSWORD: opt(str('Redis access key', secret)),
  REDIS_SSL: bool('Use TLS for Redis', false),
  REDIS_CONNECT_TIMEOUT_MS: int('Redis connect timeout', 5000, 1),
  REDIS_DATABASE_MODE: oneOf(
    ['auto', 'single', 'per-purpose'],
    'Where the Redis purposes live: `per-purpose` (REDIS_DB_* databases), `single` (all on database 0, told apart by key prefix: Azure Managed Redis), or `auto` (single when the server refuses SELECT)',
    'auto',
  ),
  REDIS_DB_CACHE: int('Logical database for the cache', 0, 0, 15),
  REDIS_DB_EVENTS: int('Logical database for the event bus', 1, 0, 15),
  REDIS_DB_JOBS: int('Logical database for the job queue', 2, 0, 15),
  REDIS_DB_RATE_LIMIT: int('Logical database for rate-limit counters', 3, 0, 15),
  REDIS_CACHE_TTL: int('Default cache TTL, in seconds', 300, 1),
  REDIS_POPULAR_CACHE_TTL: int('Cache TTL for popular keys, in seconds', 3600, 1),
  REDIS_POPULARITY_THRESHOLD: int('Reads within the window that make a key popular', 50, 1),
  REDIS_POPULARITY_WINDOW: int('Popularity window, in seconds', 3600, 1),
  CACHE_MAX_ENTRIES: int('Entries the in-memory cache holds', 10_000, 1),
  EVENTS_REPLAY_SIZE: int('Events kept per channel for replay', 1000, 1),
  JOBS_LOCK_DURATION_MS: int(
    'How long a worker holds a job without renewing its lock; a dead worker’s job is taken over after it',
    30_000,
    1000,
  ),
  JOBS_STALLED_INTERVAL_MS: int('How often workers look for jobs whose worker died (BullMQ)', 30_000, 500),

  // Blob storage (seeds 001 and 003 prefix AZURE_STORAGE_)
  AZURE_BLOB_ENABLED: opt(
    Type.Boolean({
      description:
        'Blob Storage on Azure: false keeps blobs on the local disk even when credentials are set, true requires them (default: Azure when a credential is set)',
    }),
  ),
  AZURE_REGION: opt(
    str('Azure region of the storage account, e.g. westeurope (shown on /health/azure-storage)'),
  ),
  AZURE_STORAGE_CONNECTION_STRING: opt(str('Storage connection string', secret)),
  AZURE_STORAGE_ACCOUNT_NAME: opt(str('Storage account name (with AZURE_STORAGE_ACCOUNT_KEY)')),
  AZURE_STORAGE_ACCOUNT_KEY: opt(str('Storage account key', secret)),
  AZURE_STORAGE_ACCOUNT_URL: opt(
    str('Blob endpoint for managed identity, https://{account}.blob.core.windows.net'),
  ),
  AZURE_STORAGE_USE_MANAGED_IDENTITY: bool('Authenticate with DefaultAzureCredential', false),
  AZURE_STORAGE_CONTAINER: str('Default container', { default: 'azimuth', minLength: 3, maxLength: 63 }),
  AZURE_STORAGE_TABLE_URL: opt(
    str(
      'Table endpoint, https://{account}.table.core.windows.net (default: from the account name or blob URL)',
    ),
  ),
  BLOB_SIGNING_KEY: opt(
    str('HMAC key for the disk driver’s signed links (default: generated under DATA_DIR)', secret),
  ),
  BLOB_PUBLIC_BASE_URL: opt(
    str('Origin the API is reached at, for the disk driver’s signed links (default http://localhost:{PORT})'),
  ),
  BLOB_SAS_TTL_SECONDS: int('Lifetime of SAS links the API hands out', 86_400, 60),
  BLOB_SAS_CACHE_SECONDS: int('How long a SAS link is reused', 82_800, 0),
  UPLOAD_QUOTA_MB_PER_HOUR: int('Per-user upload quota, in MB per hour', 100, 1),
  UPLOAD_RATE_LIMIT_MAX_REQUESTS: int(
    'Uploads (POST /api/process-audio, POST /api/scans) one user may start per window; more are 429',
    100,
    1,
  ),
  UPLOAD_RATE_LIMIT_WINDOW_MS: int('Window of the per-user upload rate limit, in ms', 900_000, 1000),
  STORAGE_TIMEOUT_MS: int('Timeout of one storage call', 30_000, 1),
  STORAGE_RETRY_ATTEMPTS: int('Retries after a failed storage call', 3, 0),
  STORAGE_RETRY_BASE_MS: int('First retry delay (exponential, full jitter)', 1000, 1),
  STORAGE_RETRY_MAX_DELAY_MS: int('Largest retry delay', 30_000, 1),
  STORAGE_BREAKER_THRESHOLD: int('Consecutive failures that open the storage circuit', 5, 1),
  STORAGE_BREAKER_HALF_OPEN_MS: int('Time an open circuit waits before a probe', 60_000, 1),

  // WebSocket (the /ws endpoint modules share)
  WS_PING_INTERVAL_MS: int(
    'WebSocket ping interval; a peer that misses a pong by the next ping is dropped',
    30_000,
    10,
  ),
  WS_MAX_MESSAGE_BYTES: int('Largest WebSocket message a client may send', 4096, 64),

  // LLM (seeds 002, 004): Whisper transcription and structured chat completions behind one port
  LLM_PROVIDER: oneOf(
    llmProviders,
    'Who answers LLM calls: none (LLM features off), azure_openai, openai or anthropic (chat only)',
    'none',
  ),
  LLM_TRANSCRIBE_PROVIDER: opt(
    oneOf(
      llmTranscribeProviders,
      'Who transcribes audio when it is not LLM_PROVIDER (required with anthropic): azure_openai or openai',
    ),
  ),
  AZURE_OPENAI_ENDPOINT: opt(str('Azure OpenAI endpoint, https://{resource}.openai.azure.com')),
  AZURE_OPENAI_API_KEY: opt(
    str('Azure OpenAI key; when unset, managed identity (DefaultAzureCredential) is used', secret),
  ),
  AZURE_OPENAI_API_VERSION: str('Azure OpenAI API version', { default: '2024-12-01-preview' }),
  AZURE_OPENAI_DEPLOYMENT_NAME: opt(str('Azure OpenAI deployment that transcribes audio, e.g. whisper')),
  AZURE_OPENAI_CHAT_DEPLOYMENT: opt(str('Azure OpenAI chat deployment, e.g. gpt-4o-mini')),
  OPENAI_API_KEY: opt(str('OpenAI API key', secret)),
  OPENAI_BASE_URL: opt(str('OpenAI-compatible base URL (default https://api.openai.com/v1)')),
  OPENAI_TRANSCRIBE_MODEL: str('OpenAI transcription model', { default: 'whisper-1' }),
  OPENAI_CHAT_MODEL: str('OpenAI chat model for summaries and classification', { default: 'gpt-4o-mini' }),
  // Seed 004's cost controls: the larger model only where the task needs it (reading a label photo).
  OPENAI_LABEL_MODEL: str('OpenAI model that reads product labels from photos', { default: 'gpt-4o' }),
  AZURE_OPENAI_LABEL_DEPLOYMENT: opt(
    str('Azure OpenAI deployment that reads product labels, e.g. gpt-4o (default: the chat deployment)'),
  ),
  ANTHROPIC_API_KEY: opt(str('Anthropic API key', secret)),
  ANTHROPIC_BASE_URL: opt(str('Anthropic base URL (default https://api.anthropic.com)')),
  // claude-sonnet-4-5-20250929 (seed 004) retires 2026-11-30; start-up warns about any retiring model.
  ANTHROPIC_MODEL: str('Anthropic chat model', { default: 'claude-sonnet-5-5' }),
  ANTHROPIC_LABEL_MODEL: opt(str('Anthropic model that reads product labels (default: ANTHROPIC_MODEL)')),
  LLM_TIMEOUT_MS: int('Timeout of one LLM call (one attempt)', 120_000, 1),
  LLM_RETRY_ATTEMPTS: int('Retries after a transient LLM failure (429, 500, 502, 503, timeouts)', 3, 0),
  LLM_RETRY_BASE_MS: int('First LLM retry delay (exponential, full jitter; Retry-After honoured)', 1000, 1),
  LLM_RETRY_MAX_DELAY_MS: int('Largest LLM retry delay, also the longest Retry-After honoured', 30_000, 1),
  LLM_BREAKER_THRESHOLD: int('Consecutive transient failures that open the LLM circuit', 5, 1),
  LLM_BREAKER_HALF_OPEN_MS: int('Time an open LLM circuit waits before a probe', 60_000, 1),
  LLM_PRICES: Type.Record(Type.String(), LlmPriceSchema, {
    description:
      'USD prices per model (a JSON object: model → inputPer1kTokens, outputPer1kTokens, perAudioMinute); a model is priced by its longest matching prefix',
    default: defaultLlmPrices,
  }),
});

export type Settings = Static<typeof SettingsSchema>;
export type SettingName = keyof Settings;

/** True for settings that hold keys, passwords, tokens or connection strings. */
export function isSecret(name: string, schema: TObject = SettingsSchema): boolean {
  const property = (schema.properties as Record<string, { secret?: boolean } | undefined>)[name];
  return property?.secret === true;
}
