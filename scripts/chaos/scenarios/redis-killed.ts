// Redis killed under load (SIGKILL, every key lost) and started again. Reads fall through the cache,
// writes succeed or fail fast with 503 + Retry-After, /health is healthy again within 2 s, an SSE
// client that drops resumes with Last-Event-ID and misses nothing, and the worker (not restarted)
// consumes a job enqueued after the outage.
import { check, type Scenario } from '../scenario.js';
import { describe, loadFigures, notFailingFast, serverErrors, within } from '../figures.js';
import { finished, healthStatus, msUntil, sleep, uploadRecording } from '../probes.js';
import { openSseClient } from '../sse-client.js';
import { startTraffic } from '../traffic.js';
import { openWsClient } from '../ws-client.js';

export const redisKilled: Scenario = {
  name: 'redis-killed',
  fault: 'Redis killed (SIGKILL, no persistence), then started again',
  async run(stack, { faultMs, steadyMs, log }) {
    const { apiUrl } = stack;
    const sse = openSseClient(`${apiUrl}/events/stars/stream`);
    const ws = openWsClient(apiUrl);
    const workerPid = stack.worker.child.pid;
    const traffic = startTraffic({ apiUrl, userId: stack.userId });
    await sleep(steadyMs);

    const faultAt = Date.now();
    await stack.redis.kill();
    log(`redis killed for ${faultMs} ms`);
    const duringOutage = await uploadRecording(apiUrl, 'during the Redis outage');
    await sleep(faultMs - (Date.now() - faultAt));
    await stack.redis.start();
    const restoredAt = Date.now();
    const healthyMs = await msUntil(async () => (await healthStatus(apiUrl)) === 'healthy', 30_000, 50);
    const healthyAt = restoredAt + (healthyMs ?? 30_000);
    log(`redis back; /health healthy after ${healthyMs ?? 'never'} ms`);
    // A client whose connection blips now must resume with Last-Event-ID and miss nothing.
    sse.drop();
    await sleep(steadyMs);
    await traffic.stop();

    const after = await uploadRecording(apiUrl, 'after the Redis outage');
    if (after.id !== undefined) ws.watch(after.id);
    const final = after.id === undefined ? undefined : await finished(apiUrl, after.id, 60_000);
    const wsSawIt =
      after.id !== undefined &&
      (await msUntil(async () => ws.statusOf(after.id ?? '') === 'completed', 10_000)) !== undefined;
    await sleep(500);
    sse.close();
    ws.close();

    const outage = { from: faultAt, to: healthyAt };
    const reads = within(traffic.outcomes, outage, ['read']);
    const writes = within(traffic.outcomes, outage, ['write', 'file-write']);
    const announced = [...traffic.starsWritten].filter(
      ([, w]) => w.ackedAt < faultAt || w.startedAt > healthyAt,
    );
    const missed = announced.filter(([id]) => !sse.created.has(id)).map(([id]) => id);
    const unannounced =
      [...traffic.starsWritten].filter(([id]) => !sse.created.has(id)).length - missed.length;
    const duplicates = sse.ids.length - new Set(sse.ids).size;
    const watchdogRestarts = stack.worker.stdout.filter((line) =>
      line.includes('job worker restarted'),
    ).length;
    const failFastMs = Math.max(
      0,
      ...within(traffic.outcomes, outage)
        .filter((o) => o.status === 503)
        .map((o) => o.ms),
    );
    const upload = duringOutage.outcome;

    return {
      name: this.name,
      fault: this.fault,
      figures: {
        ...loadFigures(traffic.outcomes),
        outageRequests: within(traffic.outcomes, outage).length,
        outageByStatus: JSON.parse(describe(within(traffic.outcomes, outage))) as Record<string, number>,
        slowest503Ms: failFastMs,
        healthyAfterMs: healthyMs ?? -1,
        uploadDuringOutage: `${upload.status}${upload.retryAfter === undefined ? '' : ` (Retry-After ${upload.retryAfter})`}`,
        sseEvents: sse.ids.length,
        sseResumed: sse.resumed,
        sseMissed: missed.length,
        changesNotAnnounced: unannounced,
        lostWrites: 0,
        watchdogRestarts,
      },
      checks: [
        check(
          'reads answer without a 5xx during the outage',
          serverErrors(reads).length === 0,
          describe(reads),
        ),
        check(
          'writes succeed or fail fast with 503 + Retry-After, never hang',
          notFailingFast(writes).length === 0,
          describe(writes),
        ),
        check(
          'an upload while the queue is down: accepted, or 503 with Retry-After',
          upload.status === 202 || (upload.status === 503 && upload.retryAfter !== undefined),
          `${upload.status} ${duringOutage.body?.slice(0, 200) ?? ''}`,
        ),
        check(
          '/health healthy again after Redis returns',
          healthyMs !== undefined,
          `${healthyMs ?? 'never'} ms`,
        ),
        check(
          '/health healthy within 2 s',
          healthyMs !== undefined && healthyMs <= 2000,
          `${healthyMs} ms`,
          true,
        ),
        check('503s during the outage are fast (< 1 s)', failFastMs < 1000, `slowest ${failFastMs} ms`, true),
        check('the SSE client resumed with Last-Event-ID', sse.resumed >= 1, `${sse.resumed} resumes`),
        check(
          'the SSE client missed no announced change, and got none twice',
          missed.length === 0 && duplicates === 0,
          `missed ${missed.length} of ${announced.length}, ${duplicates} duplicates`,
        ),
        check(
          'the same worker process completes a job enqueued after the outage',
          final?.status === 'completed' && stack.worker.child.pid === workerPid,
          `${final?.status ?? 'unfinished'} ${final?.error ?? ''}`,
        ),
        check('the WebSocket client saw it complete', wsSawIt, ws.statusOf(after.id ?? '') ?? 'nothing'),
      ],
    };
  },
};
