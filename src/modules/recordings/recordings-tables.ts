// The recordings module's tables as Kysely sees them (created by recordings-migrations.ts).
import type {
  BigIntColumn,
  CounterColumn,
  DefaultedJsonColumn,
  JsonColumn,
  NullableBigIntColumn,
  NullableJsonColumn,
  NullableTimeColumn,
  TimeColumn,
} from '../../platform/db/column-types.js';
import type { Insights } from './insights.js';
import type { RecordingCost, Stages, Transcript } from './recording.js';

export interface RecordingsTable {
  id: string;
  owner: string;
  title: string;
  language: string | null;
  status: string;
  stage: string;
  percent: CounterColumn;
  version: CounterColumn;
  original_ext: string;
  content_type: string;
  size_bytes: BigIntColumn;
  compressed_bytes: NullableBigIntColumn;
  duration_seconds: number | null;
  stages: JsonColumn<Stages>;
  transcript: NullableJsonColumn<Transcript>;
  insights: NullableJsonColumn<Insights>;
  cost: JsonColumn<RecordingCost>;
  warnings: DefaultedJsonColumn<string[]>;
  error: string | null;
  retries: CounterColumn;
  created_at: TimeColumn;
  updated_at: TimeColumn;
  completed_at: NullableTimeColumn;
}

/** The module's database: the platform hands the module `moduleDb<RecordingsTables>(db)`. */
export interface RecordingsTables {
  recordings: RecordingsTable;
}
