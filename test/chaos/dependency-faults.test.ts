// `npm run chaos`'s dependency faults in CI, with short outages: Redis killed, PostgreSQL stopped
// and started, blob storage down, the LLM provider throttling. One stack for the file.
import { describe, it } from 'vitest';
import { llmThrottled } from '../../scripts/chaos/scenarios/llm-throttled.js';
import { postgresRestarted } from '../../scripts/chaos/scenarios/postgres-restarted.js';
import { redisKilled } from '../../scripts/chaos/scenarios/redis-killed.js';
import { storageDown } from '../../scripts/chaos/scenarios/storage-down.js';
import { chaosToolsInstalled, expectSurvives, useChaosStack } from './chaos-suite.js';

describe.runIf(chaosToolsInstalled())('chaos under load: dependency faults', () => {
  const chaos = useChaosStack();

  it('when Redis is killed, then reads answer, writes fail fast or succeed, and everything resumes', async () => {
    await expectSurvives(redisKilled, chaos.stack);
  }, 120_000);

  it('when PostgreSQL restarts, then requests fail fast with 503, the pool recovers and no write is lost', async () => {
    await expectSurvives(postgresRestarted, chaos.stack);
  }, 120_000);

  it('when storage is down, then files get 503 with Retry-After and the breaker recovers', async () => {
    await expectSurvives(storageDown, chaos.stack);
  }, 120_000);

  it('when the LLM provider throttles, then the worker retries, the breaker opens and recordings end clearly', async () => {
    await expectSurvives(llmThrottled, chaos.stack);
  }, 180_000);
});
