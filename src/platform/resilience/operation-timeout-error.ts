// One attempt ran longer than its policy's timeout. Retryable, and counts towards the breaker.

export class OperationTimeoutError extends Error {
  readonly isOperationTimeoutError = true;
  readonly code = 'ETIMEDOUT';

  constructor(options: { dependency: string; timeoutMs: number }) {
    super(`${options.dependency} did not answer within ${options.timeoutMs} ms`);
    this.name = 'OperationTimeoutError';
  }
}

export const isOperationTimeoutError = (error: unknown): error is OperationTimeoutError =>
  typeof error === 'object' &&
  error !== null &&
  (error as { isOperationTimeoutError?: unknown }).isOperationTimeoutError === true;
