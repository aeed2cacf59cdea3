import { describe, expect, it } from 'vitest';
import { UuidV7Generator } from '../../../src/modules/stars/uuid-v7.js';

describe('UuidV7Generator', () => {
  it('when ids are made, then they are version 7 UUIDs carrying the millisecond', () => {
    const id = new UuidV7Generator().next(Date.parse('2026-03-01T12:00:00.000Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-03-01T12:00:00.000Z'));
  });

  it('when many ids are made in one millisecond or with the clock going back, then they still sort in order', () => {
    const generator = new UuidV7Generator();
    const ids = Array.from({ length: 5000 }, (_, i) => generator.next(i < 4000 ? 1_000 : 900));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
