// Issue 13 (chaos): the provider cost is recorded exactly once per successful call, even when the
// worker dies between the call and the write. The worker "dies" by a fault thrown where nothing
// catches it: after the provider answered and before the ledger row is completed (the row is left
// in doubt), and after the ledger row and before the transcript is written; the queue's next
// attempt takes the job over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelinePoint } from '../../../src/modules/recordings/recordings-module.js';
import { createLlmCallLedger } from '../../../src/platform/llm/llm-call-ledger.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  buildRecordingsApp,
  upload,
  useRecordingsMedia,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
} from './recordings-fixture.js';

const media = useRecordingsMedia('cost-ledger');

describe('the cost of provider calls when a worker dies mid-call', () => {
  let fixture: RecordingsFixture;
  /** The points still to fail, once each, in the order the pipeline reaches them. */
  const deaths: PipelinePoint[] = [];
  beforeAll(async () => {
    media.standIn.reset();
    media.standIn.answer = validInsights;
    fixture = await buildRecordingsApp({
      llm: (await makeLlm(media.standIn, 'azure_openai')).provider,
      env: { RECORDINGS_JOB_ATTEMPTS: '6' },
      faults: (point) => {
        if (deaths[0] !== point) return;
        deaths.shift();
        throw new Error(`worker died at ${point}`);
      },
    });
  });
  afterAll(() => fixture.close());

  it('when the worker dies after the provider answered, then every successful call has exactly one cost entry', async () => {
    // Transcription: dies before its ledger row is completed, then before the transcript is written;
    // once it is written, dies again; then the analysis dies before its ledger row is completed.
    deaths.push('provider-answered', 'transcribed', 'transcript-recorded', 'provider-answered');
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await waitForStatus(fixture, id, 'completed');
    expect(deaths).toEqual([]);

    const successfulCalls =
      media.standIn.received('transcriptions').length + media.standIn.received('chat').length;
    const entries = await createLlmCallLedger({ db: fixture.db }).entries(`recording:${id}`);
    expect(successfulCalls).toBe(5);
    expect(entries).toHaveLength(successfulCalls);
    expect(entries.map((e) => e.state).sort()).toEqual([
      'completed',
      'completed',
      'completed',
      'settled',
      'settled',
    ]);
    // An in-doubt call is costed as the call that replaced it (the same input to the same model).
    for (const entry of entries) expect(entry.cost?.usd ?? -1).toBeGreaterThanOrEqual(0);
    expect(
      entries
        .filter((e) => e.estimated)
        .map((e) => e.step)
        .sort(),
    ).toEqual(['analyse', 'transcribe:0']);
  });

  it('when every attempt dies after the provider answered, then the job fails and its calls in doubt are closed as abandoned', async () => {
    // Six attempts (RECORDINGS_JOB_ATTEMPTS), each dying before its ledger row is completed: no
    // later call settles them, so without closing they would stay `started` for ever.
    deaths.push(...Array<PipelinePoint>(6).fill('provider-answered'));
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    await waitForStatus(fixture, id, 'failed');
    expect(deaths).toEqual([]);
    const entries = await createLlmCallLedger({ db: fixture.db }).entries(`recording:${id}`);
    expect(entries).toHaveLength(6);
    expect(entries.map((e) => e.state)).toEqual(Array(6).fill('abandoned'));
  });
});
