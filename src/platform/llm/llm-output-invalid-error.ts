// The model answered, but not with a value of the requested schema. Not retried (it is not an
// outage and must not open the breaker); carries the call's cost, since the tokens were spent.
import type { LlmCost } from './llm-provider.js';

export class LlmOutputInvalidError extends Error {
  readonly isLlmOutputInvalidError = true;
  readonly schemaName: string;
  /** Where the answer broke the schema (JSON pointers and messages); never the answer itself. */
  readonly problems: string[];
  readonly cost: LlmCost;

  constructor(options: { schemaName: string; problems: string[]; cost: LlmCost }) {
    super(`LLM answer does not match schema "${options.schemaName}": ${options.problems.join('; ')}`);
    this.name = 'LlmOutputInvalidError';
    this.schemaName = options.schemaName;
    this.problems = options.problems;
    this.cost = options.cost;
  }
}

export const isLlmOutputInvalidError = (error: unknown): error is LlmOutputInvalidError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isLlmOutputInvalidError?: unknown }).isLlmOutputInvalidError === true;
