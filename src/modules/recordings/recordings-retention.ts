// Seed 002's lifecycle management: recordings older than RECORDINGS_RETENTION_DAYS go with all
// their blobs, and blobs left without a row (a crashed upload, a half-finished delete) go once they
// are an hour old, so an upload still streaming or a row about to be written is never touched.
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { removeRecordingBlobs } from './recording-blobs.js';
import { isRecordingId, type RecordingsStore } from './recordings-store.js';

export const RETENTION_JOB = 'recordings-retention';
/** Blobs younger than this are never orphans. */
export const ORPHAN_GRACE_MS = 3_600_000;

export interface RetentionDeps {
  store: RecordingsStore;
  blobs: BlobStore;
  container: string;
  retentionDays: number;
  logger: Logger;
  now?: () => Date;
}

export interface SweepResult {
  expired: number;
  orphans: number;
}

export function createRetentionSweep(deps: RetentionDeps) {
  const now = deps.now ?? (() => new Date());
  const { store, blobs, container } = deps;

  async function expire(): Promise<number> {
    const before = new Date(now().getTime() - deps.retentionDays * 86_400_000);
    let count = 0;
    for (;;) {
      const ids = await store.createdBefore(before, 100);
      if (ids.length === 0) return count;
      for (const id of ids) {
        await store.delete(id);
        await removeRecordingBlobs(blobs, container, id);
        count += 1;
      }
    }
  }

  async function orphans(): Promise<number> {
    const cutoff = now().getTime() - ORPHAN_GRACE_MS;
    // Blob names by recording id, with the newest change among them.
    const byId = new Map<string, { names: string[]; newest: number }>();
    let continuationToken: string | undefined;
    do {
      const page = await blobs.list(container, {
        pageSize: 1000,
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      for (const item of page.items) {
        const id = item.name.split('/')[0] ?? '';
        if (!isRecordingId(id)) continue;
        const entry = byId.get(id) ?? { names: [], newest: 0 };
        entry.names.push(item.name);
        entry.newest = Math.max(entry.newest, item.lastModified.getTime());
        byId.set(id, entry);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
    const candidates = [...byId].filter(([, entry]) => entry.newest < cutoff).map(([id]) => id);
    const kept = await store.existing(candidates);
    let count = 0;
    for (const id of candidates) {
      if (kept.has(id)) continue;
      for (const name of byId.get(id)?.names ?? []) await blobs.delete({ container, name });
      count += 1;
    }
    return count;
  }

  return {
    async sweep(): Promise<SweepResult> {
      const result = { expired: await expire(), orphans: await orphans() };
      if (result.expired + result.orphans > 0) deps.logger.info(result, 'recordings retention sweep');
      return result;
    },
  };
}
