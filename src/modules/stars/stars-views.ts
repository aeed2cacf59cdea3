// Domain values as the API shows them: ISO timestamps, and `active` as it is at `now`
// (a star past its expiry reads inactive even though its stored flag is still true).
import { isStarActive, type PopularStar, type Star } from './star.js';
import type { PopularStarResponse, StarResponse, UserResponse } from './stars-schemas.js';
import type { User } from './user.js';

export function starView(star: Star, now: Date): StarResponse {
  return {
    id: star.id,
    userId: star.userId,
    name: star.name,
    message: star.message,
    ra: star.ra,
    dec: star.dec,
    color: star.color,
    likes: star.likes,
    active: isStarActive(star, now),
    createdAt: star.createdAt.toISOString(),
    expiresAt: star.expiresAt === null ? null : star.expiresAt.toISOString(),
  };
}

export function popularStarView(star: PopularStar, now: Date): PopularStarResponse {
  return { ...starView(star, now), windowLikes: star.windowLikes };
}

/** The email only when `showEmail` (that user or an admin: OWASP API3, property-level access). */
export function userView(user: User, showEmail: boolean): UserResponse {
  return {
    id: user.id,
    name: user.name,
    ...(showEmail ? { email: user.email } : {}),
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
