// `npm run chaos`'s process faults in CI: SIGTERM to the API under load, a worker SIGKILLed
// mid-job, the API SIGKILLed during a Redis outage. One stack for the file.
import { describe, it } from 'vitest';
import { apiKilledInRedisOutage } from '../../scripts/chaos/scenarios/api-killed-in-redis-outage.js';
import { sigtermUnderLoad } from '../../scripts/chaos/scenarios/sigterm-under-load.js';
import { workerKilled } from '../../scripts/chaos/scenarios/worker-killed.js';
import { chaosToolsInstalled, expectSurvives, useChaosStack } from './chaos-suite.js';

describe.runIf(chaosToolsInstalled())('chaos under load: process faults', () => {
  const chaos = useChaosStack();

  it('when the API gets SIGTERM under load, then no accepted request fails and it exits 0', async () => {
    await expectSurvives(sigtermUnderLoad, chaos.stack);
  }, 180_000);

  it('when a worker is SIGKILLed mid-job, then the next one gives exactly one result and cleans up', async () => {
    await expectSurvives(workerKilled, chaos.stack);
  }, 180_000);

  it('when the API is SIGKILLed during a Redis outage with writes in flight, then every acknowledged write is announced once and audited', async () => {
    await expectSurvives(apiKilledInRedisOutage, chaos.stack);
  }, 180_000);
});
