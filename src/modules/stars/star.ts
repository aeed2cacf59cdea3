// A star on the map: what a user pinned at a sky position (right ascension, declination),
// with a like counter and an optional expiry after which it no longer counts as active.

export const STAR_NAME_MAX = 100;
export const STAR_MESSAGE_MAX = 500;

export interface Star {
  /** UUID (version 7: ids sort by creation time, which is the list order). */
  id: string;
  userId: string;
  /** 1–100 characters. */
  name: string;
  /** Up to 500 characters. */
  message: string | null;
  /** Right ascension in degrees, 0 ≤ ra < 360. */
  ra: number;
  /** Declination in degrees, −90 ≤ dec ≤ 90. */
  dec: number;
  /** `#rrggbb`. */
  color: string | null;
  /** Likes received, one per user; kept exact by the store. */
  likes: number;
  /** The stored flag; a star is active when this is true and it has not expired. */
  active: boolean;
  createdAt: Date;
  /** After this instant the star is not active; null means never. */
  expiresAt: Date | null;
}

/** A star in the popular list, with the likes it received within the window. */
export interface PopularStar extends Star {
  windowLikes: number;
}

/** What a store needs to create a star; validation and ttl arithmetic happen before. */
export interface NewStar {
  userId: string;
  name: string;
  message?: string | null;
  ra: number;
  dec: number;
  color?: string | null;
  expiresAt?: Date | null;
  /** Defaults to true; false exists for debug and tests of the active list. */
  active?: boolean;
}

/** True when the star counts as active at `now`: flagged active and not past its expiry. */
export function isStarActive(star: Pick<Star, 'active' | 'expiresAt'>, now: Date): boolean {
  return star.active && (star.expiresAt === null || star.expiresAt.getTime() > now.getTime());
}
