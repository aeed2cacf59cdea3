// An LLM outage in the worker: the recording fails with a reason that names the dependency (the
// one outage error, not a driver's message), and a retry after the provider recovers completes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  buildRecordingsApp,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
  useRecordingsMedia,
} from './recordings-fixture.js';

const media = useRecordingsMedia('llm-outage');

describe('when the LLM provider is down during analysis', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({
      env: { RECORDINGS_JOB_ATTEMPTS: '1' },
      llm: (await makeLlm(media.standIn, 'azure_openai', { resilience: { retryAttempts: 1 } })).provider,
    });
  });
  afterAll(() => fixture.close());

  it('then the recording fails naming the llm, and a retry after recovery completes it', async () => {
    media.standIn.script('chat', { status: 503 }, { status: 503 });
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    const failed = await waitForStatus(fixture, id, 'failed');
    expect(failed.error).toBe('analyse: llm is temporarily unavailable; try again later.');
    expect(failed.stages.transcribe?.state).toBe('done');
    expect(media.standIn.received('chat')).toHaveLength(2);

    const retried = await fixture.app.inject({ method: 'POST', url: `/api/recordings/${id}/retry` });
    expect(retried.statusCode).toBe(202);
    const done = await waitForStatus(fixture, id, 'completed');
    expect(done.insights).toEqual(validInsights);
  });
});
