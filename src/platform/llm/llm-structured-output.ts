// Turns a model's raw answer into a value of the requested schema, or an LlmOutputInvalidError
// that says where it broke the schema (never what it said).
import type { Static, TObject } from 'typebox';
import Value from 'typebox/value';
import { LlmOutputInvalidError } from './llm-output-invalid-error.js';
import type { LlmCost } from './llm-provider.js';

export type RawAnswer =
  | { kind: 'json-text'; text: string | null | undefined }
  | { kind: 'value'; value: unknown }
  | { kind: 'missing'; reason: string };

/** The schema as the plain JSON object the APIs expect (TypeBox's own markers are not enumerable). */
export const jsonSchemaOf = (schema: TObject): Record<string, unknown> => ({ ...schema });

export function checkStructuredOutput<T extends TObject>(options: {
  schema: T;
  schemaName: string;
  answer: RawAnswer;
  cost: LlmCost;
}): Static<T> {
  const { schema, schemaName, cost } = options;
  const fail = (problems: string[]): never => {
    throw new LlmOutputInvalidError({ schemaName, problems, cost });
  };
  let value: unknown;
  if (options.answer.kind === 'missing') return fail([options.answer.reason]);
  if (options.answer.kind === 'value') value = options.answer.value;
  else {
    const text = options.answer.text;
    if (text === null || text === undefined || text.trim() === '') return fail(['the answer is empty']);
    try {
      value = JSON.parse(text);
    } catch {
      return fail(['the answer is not JSON']);
    }
  }
  if (Value.Check(schema, value)) return value;
  const problems = [...Value.Errors(schema, value)]
    .slice(0, 5)
    .map((error) => `${error.instancePath === '' ? '/' : error.instancePath}: ${error.message}`);
  return fail(problems);
}
