// The scans module's tables as Kysely sees them (created by scans-migrations.ts).
import type { ColumnType } from 'kysely';
import type {
  BigIntColumn,
  CounterColumn,
  JsonColumn,
  NullableJsonColumn,
  NullableTimeColumn,
  OptionalColumn,
  TimeColumn,
} from '../../platform/db/column-types.js';
import type { LabelReading } from './stages/label-reading.js';
import type { RiskSummary } from './reports/risk-report.js';
import type { ImageFacts, Stages } from './scan.js';

export interface ScanHistoryTable {
  id: string;
  owner: string;
  status: string;
  stage: string;
  version: CounterColumn;
  product_name: string | null;
  barcode: string | null;
  typed_ingredients: string | null;
  original_ext: string;
  content_type: string;
  size_bytes: BigIntColumn;
  blob_url: string;
  perceptual_hash: OptionalColumn<string>;
  stages: JsonColumn<Stages>;
  image: NullableJsonColumn<ImageFacts>;
  analysis: NullableJsonColumn<LabelReading>;
  risk: NullableJsonColumn<RiskSummary>;
  error: OptionalColumn<string>;
  retries: CounterColumn;
  created_at: TimeColumn;
  updated_at: TimeColumn;
  completed_at: NullableTimeColumn;
}

/** One processing attempt of a scan (seed 001). */
export interface ImageJobsTable {
  id: string;
  scan_id: string;
  attempt: number;
  blob_container: string;
  blob_name: string;
  status: string;
  stage: string | null;
  error: string | null;
  started_at: TimeColumn;
  finished_at: NullableTimeColumn;
}

/** A stored artifact of a scan, with its cached read link (seed 001). */
export interface ContentSnapshotTable {
  scan_id: string;
  kind: string;
  blob_container: string;
  blob_name: string;
  content_type: string;
  size_bytes: BigIntColumn;
  blob_sas_url: string | null;
  sas_expires_at: NullableTimeColumn;
  created_at: TimeColumn;
}

export interface ScanSharesTable {
  id: string;
  scan_id: string;
  token_hash: string;
  created_by: string;
  views: CounterColumn;
  last_viewed_at: NullableTimeColumn;
  revoked_at: NullableTimeColumn;
  expires_at: TimeColumn;
  created_at: ColumnType<Date, Date | undefined, Date>;
}

/** The module's database: the platform hands the module `moduleDb<ScansTables>(db)`. */
export interface ScansTables {
  scan_history: ScanHistoryTable;
  image_jobs: ImageJobsTable;
  content_snapshot: ContentSnapshotTable;
  scan_shares: ScanSharesTable;
}
