// The main path on the Azure driver (Azurite): upload, pipeline, real SAS links, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildRecordingsApp,
  connect,
  upload,
  validInsights,
  waitForStatus,
  type RecordingsFixture,
  useRecordingsMedia,
} from './recordings-fixture.js';

describe('recordings on Azure Blob Storage (Azurite)', () => {
  const media = useRecordingsMedia('azurite', { seconds: 2 });
  let azurite: Azurite;
  let fixture: RecordingsFixture;

  beforeAll(async () => {
    azurite = await startAzurite();
    fixture = await buildRecordingsApp({
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, STORAGE_RETRY_BASE_MS: '10' },
      llm: (await makeLlm(media.standIn, 'azure_openai')).provider,
    });
  });

  afterAll(async () => {
    await fixture.close();
    await azurite.close();
  });

  it('when audio is posted, then the seed 002 layout lands in the audio-files container and its SAS links serve it', async () => {
    expect(fixture.bundle.driver).toBe('azure');
    const client = await connect(fixture);
    const { id } = (await upload(fixture, { data: media.mp3 })).json<{ id: string }>();
    client.send({ type: 'subscribe', recordingId: id });
    const result = await waitForStatus(fixture, id, 'completed');
    await expect.poll(() => client.messages.at(-1)?.type).toBe('completed');
    await client.close();
    expect(fixture.container).toBe('audio-files');
    expect(await blobNames(fixture)).toEqual([
      `${id}/compressed.mp3`,
      `${id}/metadata.json`,
      `${id}/original.mp3`,
    ]);

    const original = await fetch(result.links.original);
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).equals(media.mp3)).toBe(true);
    const compressed = await fetch(result.links.compressed ?? '');
    expect((await compressed.arrayBuffer()).byteLength).toBe(result.compressedBytes);
    const metadata = (await (await fetch(result.links.metadata ?? '')).json()) as { insights: unknown };
    expect(metadata.insights).toEqual(validInsights);

    expect((await fixture.app.inject({ method: 'DELETE', url: `/api/recordings/${id}` })).statusCode).toBe(
      204,
    );
    expect(await blobNames(fixture)).toEqual([]);
  });
});
