// Deletes everything under a name prefix, a page at a time: how a module drops all the blobs of
// one of its records (a recording's folder, a scan's images and reports).
import type { BlobStore } from './blob-store.js';

/** Resolves to how many blobs were deleted (one deleted meanwhile by someone else is not counted). */
export async function removeBlobsUnder(blobs: BlobStore, container: string, prefix: string): Promise<number> {
  let removed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await blobs.list(container, {
      prefix,
      pageSize: 100,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    for (const item of page.items) if (await blobs.delete({ container, name: item.name })) removed += 1;
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  return removed;
}
