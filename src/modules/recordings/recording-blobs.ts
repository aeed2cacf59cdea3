// Where a recording's blobs live (seed 002's layout, `{id}/…` in the recordings container) and how
// they all go at once: on delete, on retention, and when a recording is deleted mid-job.
import type { BlobStore } from '../../platform/blob/blob-store.js';
import { removeBlobsUnder } from '../../platform/blob/remove-blobs-under.js';

/** Blob names of seed 002's layout, inside the recordings container. */
export const recordingBlobs = {
  prefix: (id: string) => `${id}/`,
  original: (id: string, ext: string) => `${id}/original.${ext}`,
  compressed: (id: string) => `${id}/compressed.mp3`,
  metadata: (id: string) => `${id}/metadata.json`,
};

/** Deletes every blob of a recording (`{id}/…`); resolves to how many were deleted. */
export const removeRecordingBlobs = (blobs: BlobStore, container: string, id: string): Promise<number> =>
  removeBlobsUnder(blobs, container, recordingBlobs.prefix(id));
