import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/platform/config/load-settings.js';
import { productionGuardProblems } from '../../../src/platform/config/production-guards.js';

const secret = 'x'.repeat(32);
const load = (env: Record<string, string>) =>
  loadSettings({ env: { AUTH_JWT_SECRET: secret, ...env }, configDir: '/nonexistent' });

const real = {
  DATABASE_URL: 'postgres://app@db/app',
  REDIS_URL: 'rediss://cache:10000',
  AZURE_STORAGE_ACCOUNT_URL: 'https://acct.blob.core.windows.net',
  AZURE_STORAGE_USE_MANAGED_IDENTITY: 'true',
  LLM_PROVIDER: 'openai',
  OPENAI_API_KEY: 'sk-test',
};

describe('production guards', () => {
  it.each(['staging', 'production'])(
    'when %s would start on every embedded driver, then there is one line per driver',
    async (environment) => {
      const problems = productionGuardProblems(await load({ ENVIRONMENT: environment }));
      expect(problems.map((line) => line.split(':')[0])).toEqual([
        'DATABASE_URL',
        'REDIS_URL',
        'AZURE_STORAGE_ACCOUNT_URL',
        'LLM_PROVIDER',
      ]);
      for (const line of problems) expect(line).toContain(`not allowed in ${environment}`);
    },
  );

  it('when every dependency is real, then nothing is refused', async () => {
    expect(productionGuardProblems(await load({ ENVIRONMENT: 'production', ...real }))).toEqual([]);
  });

  it('when a driver is allowed by ALLOW_EMBEDDED_DRIVERS, then only the others are refused', async () => {
    const settings = await load({
      ENVIRONMENT: 'staging',
      ...real,
      LLM_PROVIDER: 'none',
      REDIS_URL: '',
      ALLOW_EMBEDDED_DRIVERS: '["llm"]',
    });
    expect(productionGuardProblems(settings)).toEqual([
      expect.stringMatching(/^REDIS_URL: .*ALLOW_EMBEDDED_DRIVERS=\["redis"\] allows it\)$/),
    ]);
  });

  it('when the environment is development or test, then embedded drivers are the point', async () => {
    expect(productionGuardProblems(await load({ ENVIRONMENT: 'development' }))).toEqual([]);
    expect(productionGuardProblems(await load({ ENVIRONMENT: 'test' }))).toEqual([]);
  });
});
