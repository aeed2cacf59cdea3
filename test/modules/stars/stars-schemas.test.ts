import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  CreateStarBody,
  CreateUserBody,
  ListQuery,
  StarResponse,
  UpdateUserBody,
  UserResponse,
} from '../../../src/modules/stars/stars-schemas.js';
import { starView, userView } from '../../../src/modules/stars/stars-views.js';

const userId = '019ca945-0a00-720e-babc-f1b2f7330f4c';
const star = { userId, name: 'Vega', ra: 279.23, dec: 38.78 };

describe('stars schemas', () => {
  it('when a star body is within the model, then it passes, and each limit is enforced', () => {
    expect(Value.Check(CreateStarBody, star)).toBe(true);
    expect(
      Value.Check(CreateStarBody, { ...star, message: 'm'.repeat(500), color: '#A0b1C2', ttlSeconds: 60 }),
    ).toBe(true);
    expect(Value.Check(CreateStarBody, { ...star, ra: 0, dec: -90 })).toBe(true);
    expect(Value.Check(CreateStarBody, { ...star, ra: 360 })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, ra: -0.1 })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, dec: 90.01 })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, name: '' })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, name: 'n'.repeat(101) })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, message: 'm'.repeat(501) })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, color: 'red' })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, ttlSeconds: 0 })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, userId: 'someone' })).toBe(false);
    expect(Value.Check(CreateStarBody, { ...star, likes: 5 })).toBe(false);
  });

  it('when user bodies are checked, then names and emails are bounded and an update needs a field', () => {
    expect(Value.Check(CreateUserBody, { name: 'Ada', email: 'ada@example.com' })).toBe(true);
    expect(Value.Check(CreateUserBody, { name: 'Ada', email: 'not-an-email' })).toBe(false);
    expect(Value.Check(CreateUserBody, { name: 'n'.repeat(101) })).toBe(false);
    expect(Value.Check(UpdateUserBody, { email: null })).toBe(true);
    expect(Value.Check(UpdateUserBody, {})).toBe(false);
  });

  it('when a list query is checked, then limit stays within 1–100', () => {
    expect(Value.Check(ListQuery, { limit: 100, cursor: 'abc' })).toBe(true);
    expect(Value.Check(ListQuery, { limit: 0 })).toBe(false);
    expect(Value.Check(ListQuery, { limit: 101 })).toBe(false);
  });

  it('when domain values are viewed, then they match the response schemas and expiry shows as inactive', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    const view = starView(
      {
        id: userId,
        userId,
        name: 'Vega',
        message: null,
        ra: 1,
        dec: 2,
        color: null,
        likes: 0,
        active: true,
        createdAt: new Date('2026-03-01T11:00:00.000Z'),
        expiresAt: new Date('2026-03-01T12:00:00.000Z'),
      },
      now,
    );
    expect(view.active).toBe(false);
    expect(view.expiresAt).toBe('2026-03-01T12:00:00.000Z');
    expect(Value.Check(StarResponse, view)).toBe(true);
    const user = userView({ id: userId, name: 'Ada', email: null, createdAt: now, updatedAt: now }, true);
    expect(Value.Check(UserResponse, user)).toBe(true);
  });
});
