// What every pipeline stage is: a name, whether a previous run already recorded its outcome, and
// the work, done through one small run context (the recording, its updates, progress, its blobs).
import type { BlobProperties } from '../../../platform/blob/blob-store.js';
import type { Logger } from '../../../platform/telemetry/logger.js';
import type { PipelineStage, Recording, StageName, Stages } from '../recording.js';
import type { RecordingChanges } from '../recordings-store.js';

export const NO_PROVIDER = 'no provider configured';

/** Where a test may inject a fault: after each step's effect, before the next one. */
export type PipelinePoint =
  | 'downloaded'
  | 'compressed'
  | 'compressed-uploaded'
  | 'compress-recorded'
  /** A provider call answered, before its ledger row is completed (a worker dying mid-call). */
  | 'provider-answered'
  | 'transcribed'
  | 'transcript-recorded'
  | 'analysed'
  | 'insights-recorded'
  | 'metadata-written';

/** The blobs of the recording a run works on, by their names in the recordings container. */
export interface RunBlobs {
  exists(name: string): Promise<boolean>;
  /** A local copy in the job's directory, downloaded at most once per run. */
  local(name: string): Promise<string>;
  /** Stores a file of the job's directory (which then serves as the blob's local copy) or a buffer. */
  put(name: string, body: { path: string } | Buffer, contentType: string): Promise<BlobProperties>;
}

export interface RunContext {
  readonly id: string;
  /** The recording as last written by this run. */
  readonly recording: Recording;
  /** Writes `changes`; throws (and the run stops quietly) when the recording was deleted meanwhile. */
  /** `announce`: the change is announced to watchers with the update (in its transaction, with the outbox). */
  update(changes: RecordingChanges, options?: { announce?: boolean }): Promise<Recording>;
  /** Moves the recording to `stage` at `percent` (rounded), writing `changes` with it, and tells watchers. */
  progress(stage: StageName, percent: number, changes?: RecordingChanges): Promise<void>;
  /** The recording's stages with `stage` finished as `state`. */
  finished(stage: PipelineStage, state: 'done' | 'skipped', reason?: string): Stages;
  /** Tells watchers (event bus, job progress) the recording is completed, once it is written so. */
  completed(): Promise<void>;
  blobs: RunBlobs;
  /** This job's own temporary directory, removed when the run ends. */
  readonly dir: string;
  logger: Logger;
  fault(point: PipelinePoint): Promise<void>;
  now(): Date;
}

export interface Stage {
  readonly name: StageName;
  /** False when a previous run of this job already recorded the stage's outcome. */
  pending(context: RunContext): boolean | Promise<boolean>;
  run(context: RunContext): Promise<void>;
}

/** The stages with a state of their own in `Recording.stages` (not the final `complete`). */
export const isPipelineStage = (name: StageName): name is PipelineStage =>
  name === 'compress' || name === 'transcribe' || name === 'analyse';
