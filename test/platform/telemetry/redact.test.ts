import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/platform/telemetry/redact.js';

describe('redactSecrets', () => {
  it.each([
    [
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc123+/==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED];EndpointSuffix=core.windows.net',
    ],
    [
      'https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026-01-01&sp=r&sig=AbC%2Bdef%3D',
      'https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026-01-01&sp=r&sig=[REDACTED]',
    ],
    [
      'rediss://:accesskey@cache.redis.cache.windows.net:6380/0',
      'rediss://:[REDACTED]@cache.redis.cache.windows.net:6380/0',
    ],
    [
      'postgres://app:hunter2@db.example:5432/app?sslmode=require',
      'postgres://app:[REDACTED]@db.example:5432/app?sslmode=require',
    ],
    [
      'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=zzz',
      'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=[REDACTED]',
    ],
    ['Server=x;Password=p@ss;', 'Server=x;Password=[REDACTED];'],
    ['authorization: Bearer eyJhbGciOi.eyJzdWIi.sig', 'authorization: Bearer [REDACTED]'],
  ])('scrubs %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = '{"msg":"request completed","url":"/stars?limit=20&cursor=abc","status":200}';
    expect(redactSecrets(text)).toBe(text);
  });
});
