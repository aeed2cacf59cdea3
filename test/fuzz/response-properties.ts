// What every answer must satisfy, whatever was asked: no 5xx (and a 5xx never shows a stack or a
// driver's words), every error a problem+json with the correlation id and the security headers,
// and every 2xx body valid against the response schema the OpenAPI document declares.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { correlationHeader } from '../../src/platform/telemetry/correlation-id.js';
import type { Operation } from './operation-requests.js';
import type { JsonSchema } from './schema-arbitraries.js';

export interface FuzzResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Validators of each operation's JSON response bodies by status, from the OpenAPI document. */
export function responseValidators(
  operation: Operation,
  components: Record<string, unknown>,
): Map<string, ValidateFunction> {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const validators = new Map<string, ValidateFunction>();
  for (const [status, response] of Object.entries(operation.responses)) {
    const schema: JsonSchema | undefined = response.content?.['application/json']?.schema;
    if (schema !== undefined) validators.set(status, ajv.compile({ ...schema, components }));
  }
  return validators;
}

/** Stack frames, driver and runtime words that must never reach a client outside development. */
const leaks =
  /\n\s+at |node_modules|\/src\/|ECONNREFUSED|syntax error at|violates|relation "|pglite|kysely|TypeError|ReferenceError/i;

/** What a 500 says outside development (problem.ts). */
const hiddenDetail = 'An unexpected error occurred.';

const fail = (message: string, response: FuzzResponse): never => {
  throw new Error(`${message}\n  status ${response.statusCode}\n  body ${response.body.slice(0, 600)}`);
};

function checkProblem(response: FuzzResponse): void {
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) fail(`an error answered as "${type}"`, response);
  const problem = JSON.parse(response.body) as { status?: unknown; correlationId?: unknown };
  const correlationId = response.headers[correlationHeader];
  if (typeof problem.correlationId !== 'string' || problem.correlationId === '')
    fail('a problem without a correlation id', response);
  if (correlationId !== problem.correlationId)
    fail('the problem and its header disagree on the correlation id', response);
  if (problem.status !== response.statusCode) fail('the problem states another status', response);
  if (response.headers['x-content-type-options'] !== 'nosniff')
    fail('an error without the security headers', response);
}

/** Throws (with the answer) when `response` breaks a property. */
export function checkResponse(response: FuzzResponse, validators: Map<string, ValidateFunction>): void {
  const status = response.statusCode;
  if (status >= 500 && leaks.test(response.body)) fail('a 5xx shows internals', response);
  if (status === 500 && (JSON.parse(response.body) as { detail?: unknown }).detail !== hiddenDetail)
    fail('a 500 tells its cause', response);
  if (status >= 500) fail('a server error', response);
  if (status >= 400) {
    checkProblem(response);
    return;
  }
  const validate = validators.get(String(status));
  const type = String(response.headers['content-type'] ?? '');
  if (validate === undefined || !type.startsWith('application/json')) return;
  if (!validate(JSON.parse(response.body)))
    fail(`a ${status} body off its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`, response);
}
