// How an LLM failure reaches an HTTP client: outages become 503 (with Retry-After when the breaker
// knows it), an unconfigured capability 503, oversized audio 413, and anything the model or API
// refused 502, since the fault is upstream of us, not in the client's request.
import { errors, type AppError } from '../errors/app-error.js';
import { toDependencyError } from '../resilience/dependency-error.js';
import { statusOf } from '../resilience/failure-classification.js';
import { isLlmAudioTooLargeError } from './llm-audio-too-large-error.js';
import { isLlmNotConfiguredError } from './llm-not-configured-error.js';
import { isLlmOutputInvalidError } from './llm-output-invalid-error.js';

/** The AppError to send for an error thrown by the LLM port, or undefined when it is not one of its. */
export function llmErrorToAppError(error: unknown): AppError | undefined {
  if (isLlmNotConfiguredError(error))
    return errors.serviceUnavailable('AI features are not configured on this server.', undefined, {
      cause: error,
      extensions: { dependency: 'llm' },
    });
  if (isLlmAudioTooLargeError(error))
    return errors.payloadTooLarge(error.message, { extensions: { limitBytes: error.limitBytes } });
  const outage = toDependencyError(error, 'llm');
  if (outage !== undefined) return outage;
  if (isLlmOutputInvalidError(error) || statusOf(error) !== undefined)
    return errors.fromStatus(502, 'The language model could not answer this request.');
  return undefined;
}
