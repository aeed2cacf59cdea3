// Every credential shape a log line can carry is scrubbed, and ordinary text is left alone.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/platform/telemetry/redact.js';

const azuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.Zm9vYmFyYmF6cXV4';

describe('redactSecrets', () => {
  it.each([
    [
      'account key in a connection string',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${azuriteKey};EndpointSuffix=core.windows.net`,
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED];EndpointSuffix=core.windows.net',
    ],
    [
      'SAS signature in a connection string',
      'BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2024-05-04&ss=b&sig=AbC%2Bdef%3D',
      'BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=[REDACTED]',
    ],
    [
      'shared access key (Service Bus style)',
      'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=zzz',
      'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=[REDACTED]',
    ],
    ['password member', 'Server=x;Password=p@ss;', 'Server=x;Password=[REDACTED];'],
    [
      'SAS query string (signature and delegation key ids)',
      'https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026-01-01&sp=r&skoid=1234&sktid=5678&sig=AbC%2Bdef%3D',
      'https://acct.blob.core.windows.net/c/b?sv=2024-05-04&se=2026-01-01&sp=r&skoid=[REDACTED]&sktid=[REDACTED]&sig=[REDACTED]',
    ],
    ['SAS signature first in the query', '/files/a.txt?sig=abc&se=1', '/files/a.txt?sig=[REDACTED]&se=1'],
    [
      'access_token in a URL',
      '/events/stream?lastEventId=0-0&access_token=tok.en-value',
      '/events/stream?lastEventId=0-0&access_token=[REDACTED]',
    ],
    ['access_token first in a URL', '/ws?access_token=abc&x=1', '/ws?access_token=[REDACTED]&x=1'],
    [
      'other OAuth parameters',
      'refresh_token=r1&client_secret=s1',
      'refresh_token=r1&client_secret=[REDACTED]',
    ],
    [
      'password in a postgres URL',
      'postgres://app:hunter2@db.example:5432/app?sslmode=require',
      'postgres://app:[REDACTED]@db.example:5432/app?sslmode=require',
    ],
    [
      'password-only redis URL',
      'rediss://:accesskey@cache.redis.cache.windows.net:6380/0',
      'rediss://:[REDACTED]@cache.redis.cache.windows.net:6380/0',
    ],
    ['Authorization: Bearer', `authorization: Bearer ${jwt}`, 'authorization: Bearer [REDACTED]'],
    ['Authorization: Basic', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [REDACTED]'],
    [
      'Authorization: SharedKey',
      'Authorization: SharedKey devstoreaccount1:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=',
      'Authorization: SharedKey [REDACTED]',
    ],
    ['a bare JWT', `token ${jwt} refused`, 'token [REDACTED] refused'],
  ])('scrubs %s', (_shape, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('keeps a JSON line valid: an escaped quote is part of the secret, not its end', () => {
    const line = JSON.stringify({ msg: 'connect "Password=abc" failed', url: '/x?access_token="q"' });
    const out = redactSecrets(line);
    expect(JSON.parse(out)).toEqual({
      msg: 'connect "Password=[REDACTED] failed',
      url: '/x?access_token=[REDACTED]',
    });
  });

  it('leaves ordinary text alone', () => {
    const text = '{"msg":"request completed","url":"/stars?limit=20&cursor=abc&signature=x","status":200}';
    expect(redactSecrets(text)).toBe(text);
  });
});
