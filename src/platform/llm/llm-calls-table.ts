// The `llm_calls` ledger table as Kysely sees it; created by the platform migration beside it.
import type { Generated } from 'kysely';
import type { NullableTimeColumn, TimeColumn } from '../db/column-types.js';

export interface LlmCallsTable {
  id: string;
  /** Whose work the call was for, e.g. `recording:{id}`. */
  subject: string;
  /** Which call of that work, stable across retries, e.g. `transcribe:0`. */
  step: string;
  /** started (in flight, or in doubt once its worker died), completed, settled (an in-doubt one costed). */
  state: string;
  model: string | null;
  usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  audio_seconds: number | null;
  /** True when the cost is the replacement call's, the in-doubt call's own usage being unknown. */
  estimated: Generated<boolean>;
  started_at: TimeColumn;
  finished_at: NullableTimeColumn;
}
