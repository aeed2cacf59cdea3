import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/platform/config/load-settings.js';
import { isSettingsError, type SettingsError } from '../../../src/platform/config/settings-error.js';

const load = (env: Record<string, string>, notices: string[] = []) =>
  loadSettings({ env, configDir: '/nonexistent', onNotice: (line) => notices.push(line) });

async function problemsOf(env: Record<string, string>): Promise<string[]> {
  const error = await load(env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSettingsError(error)).toBe(true);
  return (error as SettingsError).problems;
}

describe('the seeds’ setting names', () => {
  it('when the seeds’ names are set, then they fill the canonical settings, each with a notice', async () => {
    const notices: string[] = [];
    const settings = await load(
      {
        NODE_ENV: 'test',
        APP_LOG_LEVEL: 'WARNING',
        APP_DEBUG: 'true',
        CORS_ORIGINS: '["https://a.example","https://b.example"]',
        AZURE_OPENAI_DEPLOYMENT: 'gpt-4o',
        AZURE_REDIS_URL: 'rediss://:key@cache.example:10000',
      },
      notices,
    );
    expect(settings).toMatchObject({
      ENVIRONMENT: 'test',
      LOG_LEVEL: 'warn',
      DEBUG: true,
      API_CORS_ORIGINS: ['https://a.example', 'https://b.example'],
      AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o',
      REDIS_URL: 'rediss://:key@cache.example:10000',
    });
    expect(notices).toHaveLength(6);
    expect(notices).toContain('APP_LOG_LEVEL is read as LOG_LEVEL (seed 004 name); prefer LOG_LEVEL');
    expect(notices.join('\n')).not.toContain('key@');
  });

  it('when FRONTEND_URL is set, then it is the one allowed CORS origin', async () => {
    const settings = await load({ FRONTEND_URL: 'https://app.example' });
    expect(settings.API_CORS_ORIGINS).toEqual(['https://app.example']);
  });

  it('when an alias and its canonical name agree, then nothing is wrong and no notice is given', async () => {
    const notices: string[] = [];
    const settings = await load(
      { LOG_LEVEL: 'warn', APP_LOG_LEVEL: 'WARN', NODE_ENV: 'test', ENVIRONMENT: 'test' },
      notices,
    );
    expect(settings.LOG_LEVEL).toBe('warn');
    expect(notices).toEqual([]);
  });

  it('when an alias and its canonical name disagree, then start-up stops naming both', async () => {
    const problems = await problemsOf({
      ENVIRONMENT: 'test',
      NODE_ENV: 'production',
      REDIS_URL: 'redis://one:6379',
      AZURE_REDIS_URL: 'redis://two:6379',
      CORS_ORIGINS: 'https://a.example',
      FRONTEND_URL: 'https://b.example',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'NODE_ENV: alias of ENVIRONMENT (seed 002) is set to a different value than ENVIRONMENT; set only one',
        'AZURE_REDIS_URL: alias of REDIS_URL (seed 000) is set to a different value than REDIS_URL; set only one',
        'FRONTEND_URL: alias of API_CORS_ORIGINS (seed 002) is set to a different value than CORS_ORIGINS; set only one',
      ]),
    );
    expect(problems.join('\n')).not.toContain('redis://');
  });
});
