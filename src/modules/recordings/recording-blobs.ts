// Where a recording's blobs live (seed 002's layout, `{id}/…` in the recordings container) and how
// they all go at once: on delete, on retention, and when a recording is deleted mid-job.
import type { BlobStore } from '../../platform/blob/blob-store.js';

/** Blob names of seed 002's layout, inside the recordings container. */
export const recordingBlobs = {
  prefix: (id: string) => `${id}/`,
  original: (id: string, ext: string) => `${id}/original.${ext}`,
  compressed: (id: string) => `${id}/compressed.mp3`,
  metadata: (id: string) => `${id}/metadata.json`,
};

/** Deletes every blob of a recording (`{id}/…`); resolves to how many were deleted. */
export async function removeRecordingBlobs(blobs: BlobStore, container: string, id: string): Promise<number> {
  let removed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await blobs.list(container, {
      prefix: recordingBlobs.prefix(id),
      pageSize: 100,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    for (const item of page.items) if (await blobs.delete({ container, name: item.name })) removed += 1;
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  return removed;
}
