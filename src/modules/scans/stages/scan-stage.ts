// What every step of the image job sees: the scan as it is now, a way to change it, and its blobs.
// A stage is skipped by the pipeline when a previous run already finished it.
import type { BlobRef } from '../../../platform/blob/blob-store.js';
import type { Scan, StageName } from '../scan.js';
import type { ScanChanges } from '../scans-store.js';

export const NO_PROVIDER = 'no provider configured';

export interface ScanRun {
  /** The scan after the last change. */
  readonly scan: Scan;
  /** `announce`: watchers hear of the change with the update (in its transaction, with the outbox). */
  update(changes: ScanChanges, options?: { announce?: boolean }): Promise<Scan>;
  ref(name: string): BlobRef;
  /** A blob of this scan, downloaded once per run. */
  read(name: string): Promise<Buffer>;
  /** Keeps a blob written by this run for later stages without reading it back. */
  remember(name: string, bytes: Buffer): void;
}

export type StageOutcome = { state: 'done' } | { state: 'skipped'; reason: string };

export interface ScanStage {
  readonly name: StageName;
  run(run: ScanRun): Promise<StageOutcome>;
}
