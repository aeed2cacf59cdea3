// The StarsStore port: every read and write the stars module makes, over users, stars and likes.
// Drivers: PostgreSQL/PGlite (Kysely) and Azure Table Storage; one contract suite keeps them equal.
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import type { OutboxMessage } from '../../platform/outbox/outbox.js';
import type { Page, PageRequest } from './page-cursor.js';
import type { NewStar, PopularStar, Star } from './star.js';
import type { NewUser, User, UserChanges } from './user.js';

/** The store's time source, in epoch milliseconds; tests pass a controllable one. */
export type Clock = () => number;

export interface LikeResult {
  /** False when this user had already liked the star (a like is idempotent). */
  liked: boolean;
  /** The star after the like, with its exact counter. */
  star: Star;
}

/** A write's change events, from its result; written with the change where the store can (`announces`). */
export type Announce<T> = (result: T) => readonly OutboxMessage[];

export interface PopularRequest extends PageRequest {
  /** Only likes at or after `now - windowSeconds` count (REDIS_POPULARITY_WINDOW). */
  windowSeconds: number;
}

export interface StarsStoreStats {
  /** `postgres`, `pglite` or `tables`. */
  driver: string;
  users: number;
  stars: number;
  /** Like records (one per user and star). */
  likes: number;
  activeStars: number;
  /** Flagged active but past their expiry. */
  expiredStars: number;
  /** Flagged inactive. */
  inactiveStars: number;
  /** Physical tables behind the store and their row (entity) counts. */
  tables: Array<{ name: string; rows: number }>;
}

export interface RecomputeResult {
  starsChecked: number;
  /** Stars whose counter disagreed with their like records and was rewritten. */
  corrected: number;
}

/**
 * Lists are ordered by id (UUIDv7, so by creation time), oldest first; the popular list by likes
 * within the window (most first), then id. Cursors are opaque and stable under inserts.
 *
 * Writes that name a missing user or star throw `errors.notFound`; reads return undefined; a bad
 * cursor throws `errors.badRequest`. Input validation (lengths, ranges, colour) happens before.
 *
 * Deleting a user cascades (see user.ts); both drivers implement the same rule.
 */
export interface StarsStore {
  /**
   * True when the store writes each write's `announce` events to the outbox in the write's own
   * transaction (PostgreSQL with an outbox): an acknowledged change is then announced even after a
   * crash, and the caller publishes nothing itself. False (Table Storage, which cannot join an SQL
   * transaction): `announce` is ignored and the caller publishes after the write.
   */
  readonly announces: boolean;

  /** Creates what the store needs (tables); idempotent. Postgres expects its migrations run. */
  init(): Promise<void>;

  createUser(input: NewUser, announce?: Announce<User>): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  /** Undefined when the user does not exist. */
  updateUser(
    id: string,
    changes: UserChanges,
    announce?: Announce<User | undefined>,
  ): Promise<User | undefined>;
  /** False when the user did not exist. Cascades to their stars and the likes they gave. */
  deleteUser(id: string, announce?: Announce<boolean>): Promise<boolean>;
  listUsers(page: PageRequest): Promise<Page<User>>;

  /** Throws notFound when the user does not exist. */
  createStar(input: NewStar, announce?: Announce<Star>): Promise<Star>;
  getStar(id: string): Promise<Star | undefined>;
  /** False when the star did not exist. Its likes go with it. */
  deleteStar(id: string, announce?: Announce<boolean>): Promise<boolean>;
  listStars(page: PageRequest): Promise<Page<Star>>;
  /** Empty when the user has no stars (or does not exist). */
  listStarsByUser(userId: string, page: PageRequest): Promise<Page<Star>>;
  /** Stars flagged active whose expiry, if any, is after now. */
  listActiveStars(page: PageRequest): Promise<Page<Star>>;
  /** Stars with at least one like within the window, most such likes first, ties by id. */
  listPopularStars(request: PopularRequest): Promise<Page<PopularStar>>;

  /**
   * Records that `userId` likes `starId` (at the clock's now). Idempotent per (star, user); the
   * counter is exact under any concurrency. Throws notFound for a missing star or user.
   */
  like(starId: string, userId: string, announce?: Announce<LikeResult>): Promise<LikeResult>;

  /** Counts for the admin and debug endpoints; may scan, so not for hot paths. */
  stats(): Promise<StarsStoreStats>;
  /** Re-derives every star's counter from its like records (repairs interrupted writes). */
  recomputeLikes(): Promise<RecomputeResult>;

  /** For /health. */
  readonly health: DependencyCheck;
  /** Releases what the store itself opened (not a Kysely instance it was given). */
  close(): Promise<void>;
}
