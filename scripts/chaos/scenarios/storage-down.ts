// Azurite stopped under load, then started again. Once the storage breaker is open, file requests
// get 503 with Retry-After at once (measured: under 100 ms), star reads do not notice, the breaker
// closes again through half-open, and every acknowledged file is still there.
import { describe, loadFigures, notFailingFast, serverErrors, within } from '../figures.js';
import { byStatus, call, percentile } from '../http-outcome.js';
import { filesMissing, msUntil, sleep } from '../probes.js';
import { check, type Scenario } from '../scenario.js';
import { startTraffic } from '../traffic.js';

/** Polls the storage breaker's state on /health, keeping each change in order. */
function watchBreaker(apiUrl: string) {
  const states: string[] = [];
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const { body } = await call('health', `${apiUrl}/health`, {}, 2000);
      const health = body === undefined ? undefined : (JSON.parse(body) as HealthBody);
      const breaker = health?.dependencies?.storage?.details?.breaker;
      if (breaker !== undefined && states.at(-1) !== breaker) states.push(breaker);
      await sleep(100);
    }
  })();
  return {
    states,
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}
type HealthBody = { dependencies?: { storage?: { details?: { breaker?: string } } } };

export const storageDown: Scenario = {
  name: 'storage-down',
  fault: 'Blob storage (Azurite) stopped, then started again',
  async run(stack, { faultMs, steadyMs, log }) {
    const { apiUrl } = stack;
    const breaker = watchBreaker(apiUrl);
    const traffic = startTraffic({ apiUrl, userId: stack.userId, writers: 3 });
    await sleep(steadyMs);
    const faultAt = Date.now();
    await stack.azurite.stop();
    log(`storage stopped for ${faultMs} ms`);
    await sleep(faultMs);
    await stack.azurite.start();
    const restoredAt = Date.now();
    const recoveryMs = await msUntil(
      async () => {
        const { outcome } = await call('probe', `${apiUrl}/api/files/chaos/probe.txt`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: 'probe',
        });
        return outcome.status === 201;
      },
      30_000,
      200,
    );
    log(`storage back; files written again after ${recoveryMs ?? 'never'} ms`);
    await sleep(steadyMs);
    await traffic.stop();
    await breaker.stop();

    const outage = { from: faultAt, to: restoredAt };
    const files = within(traffic.outcomes, outage, ['file-read', 'file-write']);
    const first503 = files.find((o) => o.status === 503);
    const opened =
      first503 === undefined
        ? []
        : files.filter((o) => o.startedAt > first503.startedAt + first503.ms + 1000);
    const openP50 = percentile(opened, 50);
    const starReads = within(traffic.outcomes, outage, ['read']);
    const lost = await filesMissing(apiUrl, [...traffic.filesWritten.keys()]);
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        ...loadFigures(traffic.outcomes),
        outageFileRequests: files.length,
        outageByStatus: byStatus(files),
        breakerOpen503P50Ms: openP50,
        breakerOpen503P95Ms: percentile(opened, 95),
        // What any request took meanwhile: on a busy machine the CPU queue, not the breaker, sets the floor.
        starReadP50Ms: percentile(starReads, 50),
        breakerStates: breaker.states.join(' → '),
        recoveryMs: recoveryMs ?? -1,
        acknowledgedWrites: traffic.filesWritten.size,
        lostWrites: lost.length,
      },
      checks: [
        check(
          'file requests during the outage: 503 with Retry-After, never a hang or another 5xx',
          notFailingFast(files).length === 0 && first503 !== undefined,
          describe(files),
        ),
        check(
          // The median: half-open probes (which wait for the dependency) fall in the same window.
          'with the breaker open, 503 in under 100 ms (median)',
          opened.length > 0 && openP50 < 100,
          `${opened.length} requests, median ${openP50} ms, p95 ${percentile(opened, 95)} ms`,
          true,
        ),
        check('star reads do not notice', serverErrors(starReads).length === 0, describe(starReads)),
        check(
          'the breaker opened and closed again through half-open',
          breaker.states.includes('open') && breaker.states.at(-1) === 'closed' && recoveryMs !== undefined,
          breaker.states.join(' → '),
        ),
        check(
          'no acknowledged file is lost',
          lost.length === 0,
          `${lost.length} of ${traffic.filesWritten.size} missing`,
        ),
      ],
    };
  },
};
