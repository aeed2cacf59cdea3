import { describe, expect, it } from 'vitest';
import { correlationIdFrom } from '../../../src/platform/telemetry/correlation-id.js';

describe('correlationIdFrom', () => {
  it('prefers the caller’s x-correlation-id', () => {
    expect(
      correlationIdFrom({
        'x-correlation-id': 'abc-123',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }),
    ).toBe('abc-123');
  });

  it('falls back to the trace id of a W3C traceparent', () => {
    expect(
      correlationIdFrom({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    ).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('generates a UUID when neither is usable', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(correlationIdFrom({})).toMatch(uuid);
    expect(correlationIdFrom({ 'x-correlation-id': 'bad id\nwith newline' })).toMatch(uuid);
    expect(correlationIdFrom({ 'x-correlation-id': 'x'.repeat(200) })).toMatch(uuid);
    expect(
      correlationIdFrom({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }),
    ).toMatch(uuid);
  });
});
