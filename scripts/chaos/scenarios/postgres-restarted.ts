// PostgreSQL stopped the hard way (every backend killed) under load and started again after the
// fault. Requests that need it fail fast with 503 + Retry-After, the pool recovers by itself (no
// process restarts), and every star the API acknowledged is in the database afterwards.
import { describe, loadFigures, notFailingFast, within } from '../figures.js';
import { msUntil, sleep, starsMissing } from '../probes.js';
import { check, type Scenario } from '../scenario.js';
import { startTraffic } from '../traffic.js';
import { byStatus, call } from '../http-outcome.js';

export const postgresRestarted: Scenario = {
  name: 'postgres-restarted',
  fault: 'PostgreSQL stopped (immediate: backends killed), then started again',
  async run(stack, { faultMs, steadyMs, log }) {
    const { apiUrl } = stack;
    const pids = [stack.api.child.pid, stack.worker.child.pid];
    const traffic = startTraffic({ apiUrl, userId: stack.userId });
    await sleep(steadyMs);
    const faultAt = Date.now();
    await stack.postgres.stop();
    log(`postgres stopped for ${faultMs} ms`);
    await sleep(faultMs);
    await stack.postgres.start();
    const restoredAt = Date.now();
    // Recovered: the first star written after the restart is acknowledged.
    const recoveryMs = await msUntil(async () => {
      const { outcome } = await call('probe', `${apiUrl}/stars`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: stack.userId, name: 'recovery probe', ra: 1, dec: 1 }),
      });
      return outcome.status === 201;
    }, 30_000);
    log(`postgres back; writes acknowledged again after ${recoveryMs ?? 'never'} ms`);
    await sleep(steadyMs);
    await traffic.stop();

    const outage = { from: faultAt + 50, to: restoredAt };
    const during = within(traffic.outcomes, outage, ['read', 'write']);
    const failed = during.filter((o) => o.status === 503);
    const slowest503 = Math.max(0, ...failed.map((o) => o.ms));
    const lost = await starsMissing(stack.postgres.url, [...traffic.starsWritten.keys()]);
    const sameProcesses = stack.api.child.pid === pids[0] && stack.worker.child.pid === pids[1];
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        ...loadFigures(traffic.outcomes),
        outageRequests: during.length,
        outageByStatus: byStatus(during),
        slowest503Ms: slowest503,
        recoveryMs: recoveryMs ?? -1,
        acknowledgedWrites: traffic.starsWritten.size,
        lostWrites: lost.length,
      },
      checks: [
        check(
          'requests during the outage succeed (cache) or fail with 503 + Retry-After, never hang',
          notFailingFast(during).length === 0 && failed.length > 0,
          describe(during),
        ),
        check('503s during the outage are fast (< 1 s)', slowest503 < 1000, `slowest ${slowest503} ms`, true),
        check(
          'the pool recovers by itself: writes acknowledged again, no process restarted',
          recoveryMs !== undefined && sameProcesses,
          `${recoveryMs ?? 'never'} ms`,
        ),
        check(
          'no acknowledged write is lost',
          lost.length === 0,
          `${lost.length} of ${traffic.starsWritten.size} missing`,
        ),
      ],
    };
  },
};
