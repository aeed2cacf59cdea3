// Every way a recording job ends leaves no temporary directory behind: completed, failed on its
// last attempt, and the recording deleted while its job runs. The directory is seen to exist
// mid-job, so an empty folder at the end proves the clean-up rather than a job that made none.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerRecordingsWorker,
  type PipelinePoint,
  type RecordingsWorker,
} from '../../../src/modules/recordings/recordings-module.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildRecordingsApp,
  makeTone,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
} from './recordings-fixture.js';
import { silentLogger } from '../../helpers/silent-logger.js';

type Ending = 'complete' | 'fail' | 'delete';

describe('recording jobs and their temporary directory', () => {
  let dir: string;
  let tempRoot: string;
  let mp3: Buffer;
  let standIn: LlmStandIn;
  let fixture: RecordingsFixture;
  let worker: RecordingsWorker;
  let ending: Ending = 'complete';
  const endings = new Map<string, Ending>();
  /** What the job's temp folder held when the pipeline reached `compressed`, per recording. */
  const seenMidJob = new Map<string, string[]>();

  const atFault = async (point: PipelinePoint, id: string): Promise<void> => {
    if (!endings.has(id)) endings.set(id, ending);
    if (point !== 'compressed') return;
    seenMidJob.set(id, await readdir(tempRoot));
    const mine = endings.get(id);
    if (mine === 'fail') throw new Error('injected fault on every attempt');
    if (mine === 'delete') {
      const response = await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}` });
      expect(response.statusCode).toBe(204);
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recordings-temp-'));
    tempRoot = join(dir, 'jobs');
    mp3 = await readFile(await makeTone(dir, { seconds: 2, format: 'mp3' }));
    standIn = await startLlmStandIn();
    standIn.answer = validInsights;
    const llm = (await makeLlm(standIn, 'azure_openai')).provider;
    fixture = await buildRecordingsApp({ llm, worker: false });
    worker = await registerRecordingsWorker({
      db: fixture.db,
      blobs: fixture.bundle.store,
      jobs: fixture.jobs,
      events: fixture.events,
      llm,
      health: fixture.health,
      logger: silentLogger(),
      settings: fixture.settings,
      tempDir: tempRoot,
      faults: atFault,
    });
  });

  afterAll(async () => {
    await worker.close();
    await fixture.close();
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (kind: Ending): Promise<string> => {
    ending = kind;
    const response = await upload(fixture, { data: mp3 });
    expect(response.statusCode, response.body).toBe(202);
    return response.json<{ id: string }>().id;
  };

  it('when the job completes, then its directory is gone', async () => {
    const id = await run('complete');
    await waitForStatus(fixture, id, 'completed');
    expect(seenMidJob.get(id)).toEqual([expect.stringMatching(new RegExp(`^recording_.+_${id}_`))]);
    await expect.poll(() => readdir(tempRoot)).toEqual([]);
  });

  it('when the job fails on its last attempt, then its directory is gone', async () => {
    const id = await run('fail');
    const result = await waitForStatus(fixture, id, 'failed');
    expect(result.error).toContain('injected fault');
    expect(seenMidJob.get(id)).toHaveLength(1);
    await expect.poll(() => readdir(tempRoot)).toEqual([]);
  });

  it('when the recording is deleted while its job runs, then the job stops and its directory and blobs are gone', async () => {
    const id = await run('delete');
    await expect.poll(() => seenMidJob.has(id), { timeout: 30_000 }).toBe(true);
    expect(seenMidJob.get(id)).toHaveLength(1);
    await expect.poll(() => readdir(tempRoot)).toEqual([]);
    await expect.poll(async () => (await blobNames(fixture)).filter((n) => n.startsWith(id))).toEqual([]);
    const gone = await fixture.app.inject({ method: 'GET', url: `/api/recordings/${id}` });
    expect(gone.statusCode).toBe(404);
  });
});
