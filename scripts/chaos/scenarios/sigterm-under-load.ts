// SIGTERM to the API under load, as a slot swap or a scale-in sends it. The clients reach the API
// through a front end that polls readiness and stops routing to the instance once it answers 503
// (App Service's health check does this), so requests keep arriving during the drain delay. No
// request whose connection the kernel accepted fails, open SSE and WebSocket clients are told to
// reconnect, the process exits 0, and once a new API runs the SSE client resumes with
// Last-Event-ID and misses nothing.
import { describe, loadFigures, within } from '../figures.js';
import { byStatus } from '../http-outcome.js';
import { msUntil, sleep } from '../probes.js';
import { check, type Scenario } from '../scenario.js';
import { openSseClient, sseCoverage } from '../sse-client.js';
import { startTraffic } from '../traffic.js';
import { openWsClient } from '../ws-client.js';

const countOf = (codes: readonly number[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
};

/** The front end's health check: calls `outOfRotation` once readiness stops answering 200. */
function pollReadiness(url: string, outOfRotation: () => void) {
  const polling = { on: true };
  void (async () => {
    while (polling.on) {
      const status = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status !== 200) {
        outOfRotation();
        return;
      }
      await sleep(50);
    }
  })();
  return {
    stop() {
      polling.on = false;
    },
  };
}

export const sigtermUnderLoad: Scenario = {
  name: 'sigterm-under-load',
  fault: 'SIGTERM to the API while clients hammer it; a new API takes over',
  async run(stack, { steadyMs, log }) {
    const { apiUrl } = stack;
    const sse = openSseClient(`${apiUrl}/events/stars/stream`);
    const ws = openWsClient(apiUrl);
    let routed = true;
    const traffic = startTraffic({
      apiUrl,
      userId: stack.userId,
      readers: 6,
      writers: 2,
      pauseMs: 0,
      routed: () => routed,
    });
    await sleep(steadyMs);
    const stopping = stack.api;
    const signalAt = Date.now();
    stopping.child.kill('SIGTERM');
    const frontEnd = pollReadiness(`${apiUrl}/health/readiness`, () => (routed = false));
    const exit = await stopping.exited;
    const exitedAt = Date.now();
    frontEnd.stop();
    log(`api exited ${JSON.stringify(exit)} after ${exitedAt - signalAt} ms`);
    await stack.startApi();
    routed = true;
    const readyAt = Date.now();
    await msUntil(async () => sse.resumed >= 1, 15_000);
    // Load on the new API, until at least one star written there is acknowledged.
    await msUntil(async () => [...traffic.starsWritten.values()].some((w) => w.startedAt > readyAt), 15_000);
    await sleep(steadyMs);
    await traffic.stop();
    await sleep(500);
    sse.close();
    ws.close();

    const draining = within(traffic.outcomes, { from: signalAt, to: exitedAt });
    const failed = draining.filter(
      (o) => o.status !== 'refused' && (typeof o.status !== 'number' || o.status >= 500),
    );
    const accepted = draining.filter((o) => o.status !== 'refused');
    const seen = sseCoverage(sse, traffic.starsWritten, { from: signalAt, to: readyAt });
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        ...loadFigures(traffic.outcomes),
        drainMs: exitedAt - signalAt,
        duringDrain: byStatus(draining),
        acceptedDuringDrain: accepted.length,
        failedAmongAccepted: failed.length,
        exitCode: exit.code ?? `signal ${exit.signal ?? '?'}`,
        wsCloseCodes: countOf(ws.closeCodes),
        sseResumed: sse.resumed,
        sseMissed: seen.missed,
        lostWrites: 0,
      },
      checks: [
        check(
          'no failed request among the connections the kernel accepted',
          failed.length === 0,
          `${failed.length} failed of ${accepted.length}: ${describe(draining)}`,
        ),
        check('the API exits 0', exit.code === 0, JSON.stringify(exit)),
        check(
          'the WebSocket client was told to reconnect (1012 service restart)',
          ws.closeCodes.includes(1012),
          JSON.stringify(countOf(ws.closeCodes)),
        ),
        check(
          'the SSE client resumed on the new API with Last-Event-ID and missed nothing',
          sse.resumed >= 1 && seen.announced > 0 && seen.missed === 0,
          `${sse.resumed} resumes, missed ${seen.missed} of ${seen.announced}`,
        ),
      ],
    };
  },
};
