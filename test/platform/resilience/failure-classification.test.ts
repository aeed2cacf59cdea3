// Which failures are transient, and what Retry-After means, across the error shapes we meet.
import { describe, expect, it } from 'vitest';
import { RestError } from '@azure/storage-blob';
import { isRetryable, retryAfterMs, statusOf } from '../../../src/platform/resilience/index.js';
import { errors } from '../../../src/platform/errors/app-error.js';

describe('isRetryable', () => {
  it('reads Azure RestError status codes and its send-error code', () => {
    expect(isRetryable(new RestError('busy', { statusCode: 503 }))).toBe(true);
    expect(isRetryable(new RestError('gone', { statusCode: 404 }))).toBe(false);
    expect(isRetryable(new RestError('send failed', { code: 'REQUEST_SEND_ERROR' }))).toBe(true);
  });
  it('reads `.status` on SDK errors and AppError', () => {
    expect(isRetryable(Object.assign(new Error('rate'), { status: 429 }))).toBe(true);
    expect(isRetryable(errors.conflict('exists'))).toBe(false);
    expect(statusOf(errors.notFound('x'))).toBe(404);
  });
  it('treats OpenAI/Anthropic connection errors and Node socket errors as transient', () => {
    expect(isRetryable(Object.assign(new Error('x'), { name: 'APIConnectionError' }))).toBe(true);
    const aggregate = Object.assign(
      new AggregateError([Object.assign(new Error('r'), { code: 'ECONNRESET' })]),
      {},
    );
    expect(isRetryable(aggregate)).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(true);
  });
  it('does not retry programming errors or unknown values', () => {
    expect(isRetryable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetryable('boom')).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates from plain, Fetch and Azure headers', () => {
    expect(
      retryAfterMs(Object.assign(new Error(), { status: 429, headers: { 'retry-after-ms': '250' } })),
    ).toBe(250);
    expect(
      retryAfterMs(Object.assign(new Error(), { status: 429, headers: new Headers({ 'retry-after': '2' }) })),
    ).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const azure = new RestError('busy', { statusCode: 503 });
    Object.assign(azure, {
      response: {
        status: 503,
        headers: {
          get: (name: string) => (name === 'retry-after' ? 'Thu, 01 Jan 2026 00:00:05 GMT' : undefined),
        },
      },
    });
    expect(retryAfterMs(azure, now)).toBe(5000);
    expect(retryAfterMs(new Error('none'))).toBeUndefined();
  });
});
