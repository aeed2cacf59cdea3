// Redis killed under load (SIGKILL, every key lost) and started again. Reads fall through the cache,
// writes succeed or fail fast with 503 + Retry-After, /health is healthy again within 2 s, an SSE
// client that drops resumes with Last-Event-ID and misses nothing, every star acknowledged while
// Redis was down is announced once it is back (the API holds those events and publishes them in
// order), and the worker (not restarted) consumes a job enqueued after the outage.
import type { ChaosStack } from '../chaos-stack.js';
import { describe, loadFigures, notFailingFast, serverErrors, within } from '../figures.js';
import { byStatus, type CallResult } from '../http-outcome.js';
import { finished, healthStatus, msUntil, sleep, uploadRecording } from '../probes.js';
import { check, type Check, type Scenario, type ScenarioOptions } from '../scenario.js';
import { openSseClient, sseCoverage, type SseClient } from '../sse-client.js';
import { startTraffic, type Traffic } from '../traffic.js';
import { openWsClient } from '../ws-client.js';

/** Kills Redis, tries an upload while it is down, starts it again and waits for /health. */
async function outage(stack: ChaosStack, { faultMs, log }: ScenarioOptions) {
  const faultAt = Date.now();
  await stack.redis.kill();
  log(`redis killed for ${faultMs} ms`);
  const upload = await uploadRecording(stack.apiUrl, 'during the Redis outage');
  await sleep(faultMs - (Date.now() - faultAt));
  await stack.redis.start();
  const restoredAt = Date.now();
  const healthyMs = await msUntil(async () => (await healthStatus(stack.apiUrl)) === 'healthy', 30_000, 50);
  log(`redis back; /health healthy after ${healthyMs ?? 'never'} ms`);
  return { faultAt, healthyMs, healthyAt: restoredAt + (healthyMs ?? 30_000), upload };
}

/** A recording uploaded after the outage, followed to its end on the API and on /ws. */
async function jobAfterOutage(stack: ChaosStack) {
  const ws = openWsClient(stack.apiUrl);
  const after = await uploadRecording(stack.apiUrl, 'after the Redis outage');
  const id = after.id ?? '';
  ws.watch(id);
  const final = after.id === undefined ? undefined : await finished(stack.apiUrl, id, 60_000);
  const wsSaw = (await msUntil(async () => ws.statusOf(id) === 'completed', 10_000)) !== undefined;
  ws.close();
  return { final, wsSaw, wsStatus: ws.statusOf(id) ?? 'nothing' };
}

function verdict(
  traffic: Traffic,
  sse: SseClient,
  phases: Awaited<ReturnType<typeof outage>>,
  job: Awaited<ReturnType<typeof jobAfterOutage>> & { sameWorker: boolean },
) {
  const window = { from: phases.faultAt, to: phases.healthyAt };
  const all = within(traffic.outcomes, window);
  const reads = within(traffic.outcomes, window, ['read']);
  const writes = within(traffic.outcomes, window, ['write', 'file-write']);
  const seen = sseCoverage(sse, traffic.starsWritten, window);
  const slowest503 = Math.max(0, ...all.filter((o) => o.status === 503).map((o) => o.ms));
  const { healthyMs } = phases;
  const upload: CallResult = phases.upload;
  const checks: Check[] = [
    check('reads answer without a 5xx during the outage', serverErrors(reads).length === 0, describe(reads)),
    check(
      'writes succeed or fail fast with 503 + Retry-After, never hang',
      notFailingFast(writes).length === 0,
      describe(writes),
    ),
    check(
      'an upload while the queue is down: accepted, or 503 with Retry-After',
      notFailingFast([upload.outcome]).length === 0,
      `${upload.outcome.status} ${upload.body?.slice(0, 160) ?? ''}`,
    ),
    check('/health healthy again after Redis returns', healthyMs !== undefined, `${healthyMs ?? 'never'} ms`),
    check('/health healthy within 2 s', (healthyMs ?? Infinity) <= 2000, `${healthyMs ?? 'never'} ms`, true),
    check('503s during the outage are fast (< 1 s)', slowest503 < 1000, `slowest ${slowest503} ms`, true),
    check('the SSE client resumed with Last-Event-ID', sse.resumed >= 1, `${sse.resumed} resumes`),
    check(
      'the SSE client missed no announced change, and got none twice',
      seen.missed === 0 && seen.duplicates === 0,
      `missed ${seen.missed} of ${seen.announced}, ${seen.duplicates} duplicates`,
    ),
    check(
      'every star acknowledged during the outage was announced once Redis was back',
      seen.notAnnounced === 0,
      `${seen.notAnnounced} of ${traffic.starsWritten.size - seen.announced} not announced`,
    ),
    check(
      'the same worker process completes a job enqueued after the outage',
      job.final?.status === 'completed' && job.sameWorker,
      `${job.final?.status ?? 'unfinished'} ${job.final?.error ?? ''}`,
    ),
    check('the WebSocket client saw it complete', job.wsSaw, job.wsStatus),
  ];
  const figures = {
    ...loadFigures(traffic.outcomes),
    outageRequests: all.length,
    outageByStatus: byStatus(all),
    slowest503Ms: slowest503,
    healthyAfterMs: healthyMs ?? -1,
    uploadDuringOutage: `${upload.outcome.status} (Retry-After ${upload.outcome.retryAfter ?? 'none'})`,
    sseEvents: sse.ids.length,
    sseResumed: sse.resumed,
    sseMissed: seen.missed,
    changesNotAnnounced: seen.notAnnounced,
    lostWrites: 0,
  };
  return { figures, checks };
}

export const redisKilled: Scenario = {
  name: 'redis-killed',
  fault: 'Redis killed (SIGKILL, no persistence), then started again',
  async run(stack, options) {
    const sse = openSseClient(`${stack.apiUrl}/events/stars/stream`);
    const workerPid = stack.worker.child.pid;
    const traffic = startTraffic({ apiUrl: stack.apiUrl, userId: stack.userId });
    await sleep(options.steadyMs);
    const phases = await outage(stack, options);
    // A client whose connection blips now must resume with Last-Event-ID and miss nothing.
    sse.drop();
    await sleep(options.steadyMs);
    await traffic.stop();
    const job = await jobAfterOutage(stack);
    await sleep(500);
    sse.close();
    const watchdogRestarts = stack.worker.stdout.filter((line) => line.includes('restarted by the watchdog'));
    const { figures, checks } = verdict(traffic, sse, phases, {
      ...job,
      sameWorker: stack.worker.child.pid === workerPid,
    });
    return {
      name: this.name,
      fault: this.fault,
      figures: { ...figures, watchdogRestarts: watchdogRestarts.length },
      checks,
    };
  },
};
