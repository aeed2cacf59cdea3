// The request log's `url` field never carries a credential a client put in the query string.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/test-app.js';

describe('request log', () => {
  it('when a URL carries access_token and a SAS signature, then the logged line holds neither', async () => {
    const { app, logs } = await buildTestApp({ env: { LOG_LEVEL: 'info' } });
    const response = await app.inject('/x?access_token=SECRET-TOKEN-1&sig=SECRET-SIG-2&limit=5');
    expect(response.statusCode).toBe(404);
    const line = logs().find((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({ url: '/x?access_token=[REDACTED]&sig=[REDACTED]&limit=5', status: 404 });
    const text = JSON.stringify(logs());
    expect(text).not.toContain('SECRET-TOKEN-1');
    expect(text).not.toContain('SECRET-SIG-2');
  });
});
