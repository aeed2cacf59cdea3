// The scans module's tables as Kysely sees them, and the handle narrowed to them.
import type { ColumnType, Kysely } from 'kysely';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import type { LabelReading } from './stages/label-reading.js';
import type { RiskSummary } from './reports/risk-report.js';
import type { ImageFacts, Stages } from './scan.js';

/** JSON columns are read parsed and written as JSON text (pg would turn a JS array into a SQL array). */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** pg reads bigint as a string. */
type BigInt = ColumnType<string | number, number, number>;
type Time = ColumnType<Date, Date, Date>;
type NullableTime = ColumnType<Date | null, Date | null | undefined, Date | null>;
type Counter = ColumnType<number, number | undefined, number>;

// Type aliases, not interfaces: Kysely's withTables needs an implicit index signature.
export type ScansTables = {
  scan_history: {
    id: string;
    owner: string;
    status: string;
    stage: string;
    version: Counter;
    product_name: string | null;
    barcode: string | null;
    typed_ingredients: string | null;
    original_ext: string;
    content_type: string;
    size_bytes: BigInt;
    blob_url: string;
    perceptual_hash: ColumnType<string | null, string | null | undefined, string | null>;
    stages: Json<Stages>;
    image: NullableJson<ImageFacts>;
    analysis: NullableJson<LabelReading>;
    risk: NullableJson<RiskSummary>;
    error: ColumnType<string | null, string | null | undefined, string | null>;
    retries: Counter;
    created_at: Time;
    updated_at: Time;
    completed_at: NullableTime;
  };
  image_jobs: {
    id: string;
    scan_id: string;
    attempt: number;
    blob_container: string;
    blob_name: string;
    status: string;
    stage: string | null;
    error: string | null;
    started_at: Time;
    finished_at: NullableTime;
  };
  content_snapshot: {
    scan_id: string;
    kind: string;
    blob_container: string;
    blob_name: string;
    content_type: string;
    size_bytes: BigInt;
    blob_sas_url: string | null;
    sas_expires_at: NullableTime;
    created_at: Time;
  };
  scan_shares: {
    id: string;
    scan_id: string;
    token_hash: string;
    created_by: string;
    views: Counter;
    last_viewed_at: NullableTime;
    revoked_at: NullableTime;
    expires_at: Time;
    created_at: ColumnType<Date, Date | undefined, Date>;
  };
};

/** Kysely is invariant in its table map, so the platform's handle is narrowed once, here. */
export function scansDb(db: PlatformDb): Kysely<ScansTables> {
  return db.withTables<ScansTables>() as unknown as Kysely<ScansTables>;
}
