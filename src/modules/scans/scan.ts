// A product scan and its job state (seed 001's scan_history row): status, the stage under way, each
// stage's outcome (done, skipped with a reason, failed), and what the stages produced.
import type { LabelReading } from './stages/label-reading.js';
import type { RiskSummary } from './reports/risk-report.js';

export const scanStatuses = [
  'queued',
  'processing',
  'analysing',
  'reporting',
  'completed',
  'failed',
] as const;
export type ScanStatus = (typeof scanStatuses)[number];

export const stageNames = ['processing', 'analysing', 'reporting'] as const;
export type StageName = (typeof stageNames)[number];

export interface StageState {
  state: 'pending' | 'done' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  finishedAt?: string;
}

export type Stages = Record<StageName, StageState>;

export const initialStages = (): Stages => ({
  processing: { state: 'pending' },
  analysing: { state: 'pending' },
  reporting: { state: 'pending' },
});

/** What processing learnt about the photo. */
export interface ImageFacts {
  width: number;
  height: number;
  /** 64-bit difference hash, 16 hex digits. */
  perceptualHash: string;
  /** An earlier scan of the same owner whose photo hashes within the duplicate distance. */
  duplicateOf: string | null;
}

export interface Scan {
  id: string;
  /** The principal id (AUTH_MODE=jwt), or the caller's `userId` (AUTH_MODE=none, default `anonymous`). */
  owner: string;
  status: ScanStatus;
  /** The stage under way, or the one that failed; `queued` before the first, `completed` after. */
  stage: StageName | 'queued' | 'completed';
  /** Increases with every change; live messages older than a snapshot are dropped by it. */
  version: number;
  productName: string | null;
  barcode: string | null;
  /** The ingredient list as the caller typed it. */
  typedIngredients: string | null;
  originalExt: 'jpg' | 'png' | 'webp';
  contentType: string;
  sizeBytes: number;
  /** `blob://container/scans/{user}/{scan}/original.{ext}` (seed 001's blob_url). */
  blobUrl: string;
  stages: Stages;
  image: ImageFacts | null;
  analysis: LabelReading | null;
  risk: RiskSummary | null;
  error: string | null;
  retries: number;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}
