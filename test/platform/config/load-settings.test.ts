import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../../../src/platform/config/load-settings.js';
import { isSettingsError, type SettingsError } from '../../../src/platform/config/settings-error.js';

async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'azimuth-config-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSettingsError(error)).toBe(true);
  return (error as SettingsError).problems;
}

describe('loadSettings', () => {
  it('when nothing is set, then the development defaults apply', async () => {
    const settings = await loadSettings({ env: {}, configDir: '/nonexistent' });
    expect(settings).toMatchObject({
      ENVIRONMENT: 'development',
      PORT: 8080,
      AUTH_MODE: 'none',
      DEBUG: true,
      API_CORS_ORIGINS: ['http://localhost:3000'],
      API_RATE_LIMIT_GLOBAL: 1000,
      API_RATE_LIMIT_TIMES: 5,
      API_RATE_LIMIT_SECONDS: 60,
      REDIS_CACHE_TTL: 300,
      REDIS_POPULAR_CACHE_TTL: 3600,
      REDIS_POPULARITY_THRESHOLD: 50,
      REDIS_POPULARITY_WINDOW: 3600,
      SHUTDOWN_TIMEOUT_MS: 30_000,
    });
  });

  it('layers defaults < env file < process environment', async () => {
    const dir = await configDir({ '.env.test': 'PORT=9000\nPROJECT_NAME="From file"\nREDIS_CACHE_TTL=42\n' });
    const settings = await loadSettings({ env: { ENVIRONMENT: 'test', PORT: '9100' }, configDir: dir });
    expect(settings.PORT).toBe(9100);
    expect(settings.PROJECT_NAME).toBe('From file');
    expect(settings.REDIS_CACHE_TTL).toBe(42);
    expect(settings.AUTH_MODE).toBe('none');
  });

  it('accepts APP_ENV as an alias of ENVIRONMENT', async () => {
    const settings = await loadSettings({
      env: { APP_ENV: 'staging', AUTH_JWT_SECRET: 'x'.repeat(32) },
      configDir: '/nonexistent',
    });
    expect(settings.ENVIRONMENT).toBe('staging');
    expect(settings.AUTH_MODE).toBe('jwt');
    expect(settings.API_TRUST_PROXY).toBe(true);
  });

  it('converts numbers, with per-environment sampling defaults (seed 004: 5 traces/s in production)', async () => {
    const ratio = await loadSettings({
      env: {
        ENVIRONMENT: 'test',
        APPLICATIONINSIGHTS_SAMPLING_RATIO: '0.25',
        APPLICATIONINSIGHTS_TRACES_PER_SECOND: '2.5',
      },
      configDir: '/nonexistent',
    });
    expect(ratio.APPLICATIONINSIGHTS_SAMPLING_RATIO).toBe(0.25);
    expect(ratio.APPLICATIONINSIGHTS_TRACES_PER_SECOND).toBe(2.5);
    const production = await loadSettings({
      env: { ENVIRONMENT: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) },
      configDir: '/nonexistent',
    });
    const development = await loadSettings({ env: {}, configDir: '/nonexistent' });
    expect(development.APPLICATIONINSIGHTS_TRACES_PER_SECOND).toBe(0);
    expect(production.APPLICATIONINSIGHTS_TRACES_PER_SECOND).toBe(5);
    const problems = await problemsOf(
      loadSettings({
        env: { ENVIRONMENT: 'test', APPLICATIONINSIGHTS_TRACES_PER_SECOND: 'five' },
        configDir: '/nonexistent',
      }),
    );
    expect(problems).toEqual(['APPLICATIONINSIGHTS_TRACES_PER_SECOND: must be a number (got "five")']);
  });

  it('converts booleans, JSON lists and Python log level names', async () => {
    const settings = await loadSettings({
      env: {
        ENVIRONMENT: 'test',
        REDIS_SSL: 'yes',
        API_CORS_ORIGINS: '["https://a.example","https://b.example"]',
        LOG_LEVEL: 'WARNING',
      },
      configDir: '/nonexistent',
    });
    expect(settings.REDIS_SSL).toBe(true);
    expect(settings.API_CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(settings.LOG_LEVEL).toBe('warn');
  });

  it('when settings are bad, then every problem is reported, each naming its setting', async () => {
    const problems = await problemsOf(
      loadSettings({
        env: {
          ENVIRONMENT: 'test',
          PORT: 'eighty',
          REDIS_PORT: '70000',
          LOG_LEVEL: 'loud',
          API_CORS_ORIGINS: 'https://x',
          REDIS_SSL: 'maybe',
        },
        configDir: '/nonexistent',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: must be an integer (got "eighty")',
        'REDIS_PORT: must be an integer from 1 to 65535 (got "70000")',
        expect.stringMatching(/^LOG_LEVEL: must be one of trace, debug, info/),
        expect.stringMatching(/^API_CORS_ORIGINS: must be a JSON list/),
        'REDIS_SSL: must be true or false (got "maybe")',
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('never echoes a secret value in a problem', async () => {
    const problems = await problemsOf(
      loadSettings({
        env: { ENVIRONMENT: 'test', AUTH_JWT_SECRET: 'short-secret' },
        configDir: '/nonexistent',
      }),
    );
    expect(problems).toEqual(['AUTH_JWT_SECRET: must be at least 32 characters']);
  });

  it('refuses an unknown environment', async () => {
    const problems = await problemsOf(
      loadSettings({ env: { ENVIRONMENT: 'prod' }, configDir: '/nonexistent' }),
    );
    expect(problems[0]).toMatch(/^ENVIRONMENT: must be one of development, test, staging, production/);
  });

  it('refuses AUTH_MODE=none and DEBUG in production, and jwt without a key', async () => {
    const problems = await problemsOf(
      loadSettings({
        env: { ENVIRONMENT: 'production', AUTH_MODE: 'none', DEBUG: 'true' },
        configDir: '/nonexistent',
      }),
    );
    expect(problems).toEqual([
      'AUTH_MODE: "none" is not allowed in production; use jwt',
      'DEBUG: must be false in production',
    ]);
    const jwtProblems = await problemsOf(
      loadSettings({ env: { ENVIRONMENT: 'production' }, configDir: '/nonexistent' }),
    );
    expect(jwtProblems).toEqual(['AUTH_JWT_SECRET: AUTH_MODE=jwt needs AUTH_JWT_SECRET or AUTH_JWKS_URL']);
  });

  it('refuses timeouts out of order: headers after the whole request, a drain delay past the shutdown limit', async () => {
    const problems = await problemsOf(
      loadSettings({
        env: {
          API_HEADERS_TIMEOUT_MS: '60000',
          API_REQUEST_TIMEOUT_MS: '30000',
          SHUTDOWN_DRAIN_DELAY_MS: '30000',
          SHUTDOWN_TIMEOUT_MS: '10000',
        },
        configDir: '/nonexistent',
      }),
    );
    expect(problems).toEqual([
      'API_HEADERS_TIMEOUT_MS: must not exceed API_REQUEST_TIMEOUT_MS',
      'SHUTDOWN_DRAIN_DELAY_MS: must be less than SHUTDOWN_TIMEOUT_MS, which includes it',
    ]);
    const staging = await loadSettings({
      env: {
        ENVIRONMENT: 'staging',
        AUTH_JWT_SECRET: 'x'.repeat(32),
        ALLOW_EMBEDDED_DRIVERS: '["database","redis","storage","llm"]',
      },
      configDir: '/nonexistent',
    }).catch((error: unknown) => error);
    expect(staging).toMatchObject({ SHUTDOWN_DRAIN_DELAY_MS: 5000, UPLOAD_IDLE_TIMEOUT_MS: 30_000 });
  });

  it('converts a JSON object setting (LLM_PRICES) and refuses one that is not an object', async () => {
    const settings = await loadSettings({
      env: {
        ENVIRONMENT: 'test',
        LLM_PRICES: '{"my-model":{"inputPer1kTokens":0.5,"outputPer1kTokens":1.5}}',
      },
      configDir: '/nonexistent',
    });
    expect(settings.LLM_PRICES).toEqual({ 'my-model': { inputPer1kTokens: 0.5, outputPer1kTokens: 1.5 } });

    const problems = await problemsOf(
      loadSettings({ env: { ENVIRONMENT: 'test', LLM_PRICES: '[1,2]' }, configDir: '/nonexistent' }),
    );
    expect(problems).toEqual(['LLM_PRICES: must be a JSON object (got "[1,2]")']);
    const shapeProblems = await problemsOf(
      loadSettings({
        env: { ENVIRONMENT: 'test', LLM_PRICES: '{"m":{"perToken":1}}' },
        configDir: '/nonexistent',
      }),
    );
    expect(shapeProblems).toEqual([
      'LLM_PRICES: must be a JSON object of the documented shape (got "{"m":{"perToken":1}}")',
    ]);
  });

  describe('LLM settings', () => {
    const load = (env: Record<string, string>) =>
      loadSettings({ env: { ENVIRONMENT: 'test', ...env }, configDir: '/nonexistent' });

    it('when nothing is set, then no provider is configured and seed 004 defaults apply', async () => {
      const settings = await load({});
      expect(settings).toMatchObject({
        LLM_PROVIDER: 'none',
        AZURE_OPENAI_API_VERSION: '2024-12-01-preview',
        OPENAI_TRANSCRIBE_MODEL: 'whisper-1',
        OPENAI_CHAT_MODEL: 'gpt-4o-mini',
        ANTHROPIC_MODEL: 'claude-sonnet-5-5',
        LLM_TIMEOUT_MS: 120_000,
        LLM_RETRY_ATTEMPTS: 3,
        LLM_RETRY_BASE_MS: 1000,
        LLM_RETRY_MAX_DELAY_MS: 30_000,
        LLM_BREAKER_THRESHOLD: 5,
        LLM_BREAKER_HALF_OPEN_MS: 60_000,
      });
      expect(settings.LLM_PRICES['gpt-4o-mini']).toEqual({
        inputPer1kTokens: 0.00015,
        outputPer1kTokens: 0.0006,
      });
    });

    it('when azure_openai lacks its endpoint and deployments, then each is one problem', async () => {
      expect(await problemsOf(load({ LLM_PROVIDER: 'azure_openai' }))).toEqual([
        'AZURE_OPENAI_ENDPOINT: the azure_openai LLM provider needs its endpoint',
        'AZURE_OPENAI_DEPLOYMENT_NAME: the azure_openai LLM provider needs the transcription (Whisper) deployment name',
        'AZURE_OPENAI_CHAT_DEPLOYMENT: the azure_openai LLM provider needs the chat deployment name',
      ]);
    });

    it('when azure_openai has endpoint and deployments but no key, then it is valid (managed identity)', async () => {
      const settings = await load({
        LLM_PROVIDER: 'azure_openai',
        AZURE_OPENAI_ENDPOINT: 'https://example.openai.azure.com',
        AZURE_OPENAI_DEPLOYMENT_NAME: 'whisper',
        AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o-mini',
      });
      expect(settings.AZURE_OPENAI_API_KEY).toBeUndefined();
    });

    it('when openai has no key, then OPENAI_API_KEY is named', async () => {
      expect(await problemsOf(load({ LLM_PROVIDER: 'openai' }))).toEqual([
        'OPENAI_API_KEY: the openai LLM provider needs an API key',
      ]);
    });

    it('when anthropic has no key and nobody transcribes, then both are named', async () => {
      expect(await problemsOf(load({ LLM_PROVIDER: 'anthropic' }))).toEqual([
        'LLM_TRANSCRIBE_PROVIDER: LLM_PROVIDER=anthropic cannot transcribe audio; set LLM_TRANSCRIBE_PROVIDER to azure_openai or openai',
        'ANTHROPIC_API_KEY: the anthropic LLM provider needs an API key',
      ]);
    });

    it('when anthropic transcribes through openai, then the openai key is required too', async () => {
      expect(
        await problemsOf(
          load({ LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'k', LLM_TRANSCRIBE_PROVIDER: 'openai' }),
        ),
      ).toEqual(['OPENAI_API_KEY: the openai LLM provider needs an API key']);
      const settings = await load({
        LLM_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: 'k',
        LLM_TRANSCRIBE_PROVIDER: 'openai',
        OPENAI_API_KEY: 'o',
      });
      expect(settings.LLM_TRANSCRIBE_PROVIDER).toBe('openai');
    });

    it('refuses an unknown provider', async () => {
      const problems = await problemsOf(load({ LLM_PROVIDER: 'gemini' }));
      expect(problems).toEqual([
        'LLM_PROVIDER: must be one of none, azure_openai, openai, anthropic (got "gemini")',
      ]);
    });
  });

  describe('Key Vault references', () => {
    const reference = '@Microsoft.KeyVault(VaultName=icarus-kv;SecretName=database-url)';

    it('when a reference reached the process, then it is resolved', async () => {
      const resolveSecret = vi.fn(async () => 'postgres://app:pw@db.example/app');
      const settings = await loadSettings({
        env: { ENVIRONMENT: 'test', DATABASE_URL: reference },
        configDir: '/nonexistent',
        resolveSecret,
      });
      expect(settings.DATABASE_URL).toBe('postgres://app:pw@db.example/app');
      expect(resolveSecret).toHaveBeenCalledWith({
        vaultUrl: 'https://icarus-kv.vault.azure.net',
        secretName: 'database-url',
      });
    });

    it('when resolution fails, then start-up fails naming the setting, never using the literal', async () => {
      const problems = await problemsOf(
        loadSettings({
          env: {
            ENVIRONMENT: 'test',
            DATABASE_URL: reference,
            REDIS_URL: '@Microsoft.KeyVault(VaultName=kv)',
          },
          configDir: '/nonexistent',
          resolveSecret: () =>
            Promise.reject(new Error('403 Forbidden: identity lacks Key Vault Secrets User')),
        }),
      );
      expect(problems.sort()).toEqual([
        'DATABASE_URL: Key Vault reference could not be resolved: 403 Forbidden: identity lacks Key Vault Secrets User',
        'REDIS_URL: Key Vault reference could not be resolved: needs SecretUri, or VaultName and SecretName',
      ]);
    });

    it('when no reference is present, then the resolver is never created', async () => {
      const resolveSecret = vi.fn();
      await loadSettings({ env: { ENVIRONMENT: 'test' }, configDir: '/nonexistent', resolveSecret });
      expect(resolveSecret).not.toHaveBeenCalled();
    });
  });
});
