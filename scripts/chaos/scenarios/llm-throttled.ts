// The LLM provider throttles (429 with Retry-After), then fails (500s), then recovers. The worker
// retries as seed 004 says (honouring Retry-After), its LLM breaker opens, and each recording ends
// clearly: failed with a reason, or completed once the provider is back. The API does not notice.
import { describe, loadFigures, serverErrors } from '../figures.js';
import { call } from '../http-outcome.js';
import { breakerHalfOpenMs } from '../chaos-stack.js';
import { finished, sleep, uploadRecording, type RecordingState } from '../probes.js';
import { check, type Scenario } from '../scenario.js';
import { startTraffic } from '../traffic.js';

/** The LLM breaker's highest state (0 closed … 2 open) and the LLM retries, from the worker's /metrics. */
async function llmMetrics(workerUrl: string): Promise<{ breaker: number; retries: number }> {
  const { body = '' } = await call('metrics', `${workerUrl}/metrics`, {}, 5000);
  const values = (metric: string) =>
    [...body.matchAll(new RegExp(`^${metric}\\{[^}]*dependency="llm[^"]*"[^}]*\\} (\\d+)`, 'gm'))].map((m) =>
      Number(m[1]),
    );
  return {
    breaker: Math.max(0, ...values('circuit_breaker_state')),
    retries: values('dependency_retries_total').reduce((a, b) => a + b, 0),
  };
}

const endedClearly = (state: RecordingState | undefined) =>
  state?.status === 'completed' || (state?.status === 'failed' && (state.error ?? '') !== '');

export const llmThrottled: Scenario = {
  name: 'llm-throttled',
  fault: 'LLM provider answers 429 with Retry-After, then 500s, then recovers',
  async run(stack, { steadyMs, log }) {
    const { apiUrl, llm } = stack;
    llm.reset();
    llm.answer = stack.llmAnswer;
    const throttled = { status: 429, headers: { 'retry-after': '1' } };
    const failures = [throttled, throttled, throttled, ...Array.from({ length: 4 }, () => ({ status: 500 }))];
    llm.script('transcriptions', ...failures);
    const traffic = startTraffic({ apiUrl, userId: stack.userId, readers: 2, writers: 1 });
    let breakerSeen = 0;
    const during = await uploadRecording(apiUrl, 'while the provider throttles');
    log(`recording uploaded while throttled: ${during.outcome.status}`);
    const polling = setInterval(() => {
      void llmMetrics(stack.workerUrl).then((m) => (breakerSeen = Math.max(breakerSeen, m.breaker)));
    }, 200);
    const first = during.id === undefined ? undefined : await finished(apiUrl, during.id, 60_000);
    // The provider is back: replies left unplayed are dropped, and the breaker gets to half-open.
    const calls = llm.received('transcriptions').length;
    llm.reset();
    llm.answer = stack.llmAnswer;
    const recoveredAt = Date.now();
    // cockatiel half-opens on the first call after the wait; a recording uploaded then is the probe.
    await sleep(breakerHalfOpenMs.llm);
    const after = await uploadRecording(apiUrl, 'after the provider recovered');
    const second = after.id === undefined ? undefined : await finished(apiUrl, after.id, 60_000);
    const recoveryMs = Date.now() - recoveredAt;
    log(`provider recovered; a new recording ${second?.status ?? 'unfinished'} after ${recoveryMs} ms`);
    clearInterval(polling);
    await sleep(steadyMs);
    await traffic.stop();
    const metrics = await llmMetrics(stack.workerUrl);
    const statuses = calls + llm.received('transcriptions').length;
    const apiErrors = serverErrors(traffic.outcomes);
    return {
      name: this.name,
      fault: this.fault,
      figures: {
        ...loadFigures(traffic.outcomes),
        transcriptionCalls: statuses,
        scriptedFailures: failures.length,
        recoveryMs,
        llmRetries: metrics.retries,
        breakerOpened: breakerSeen === 2 ? 'yes' : 'no',
        throttledRecording: `${first?.status ?? 'unfinished'}${first?.error ? `: ${first.error}` : ''}`,
        recoveredRecording: second?.status ?? 'unfinished',
        recoveredCost: JSON.stringify(second?.cost ?? null),
        lostWrites: 0,
      },
      checks: [
        check('the worker retried the throttled calls', metrics.retries > 0, `${metrics.retries} retries`),
        check('the LLM breaker opened', breakerSeen === 2, `highest state ${breakerSeen}`),
        check(
          'the throttled recording failed with a reason or completed after recovery',
          endedClearly(first),
          `${first?.status ?? 'unfinished'} ${first?.error ?? ''}`,
        ),
        check(
          'a recording after recovery completes, with its cost recorded',
          second?.status === 'completed' && Object.keys(second.cost).length > 0,
          `${second?.status ?? 'unfinished'} ${JSON.stringify(second?.cost ?? null)}`,
        ),
        check('the API served its traffic without a 5xx', apiErrors.length === 0, describe(traffic.outcomes)),
      ],
    };
  },
};
