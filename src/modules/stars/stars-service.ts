// The Star Map's business rules over the store: who may change what, read-through caching of the
// hot reads with invalidation on every write, and an event on the bus for every change.
//
// Cache keys (JSON views, TTL left to the cache's popularity rule):
//   stars:star:{id}                       one star
//   stars:list:active:{limit}:{cursor}    a page of active stars
//   stars:list:popular:{limit}:{cursor}   a page of popular stars
// A write deletes the star's key and the whole `stars:list:` prefix (any page may hold the star);
// deleting a user deletes `stars:` (their stars and likes go). The Redis cache is shared, so a
// delete on one instance is what every instance reads next; the memory cache is one process's.
import type { Cache } from '../../platform/cache/cache.js';
import { errors } from '../../platform/errors/app-error.js';
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { OutboxMessage } from '../../platform/outbox/outbox.js';
import { pageLimit, type Page, type PageRequest } from './page-cursor.js';
import type { Star } from './star.js';
import type { Announce, LikeResult, StarsStore, StarsStoreStats } from './stars-store.js';
import type { PopularStarResponse, StarResponse, UserResponse } from './stars-schemas.js';
import { popularStarView, starView, userView } from './stars-views.js';
import type { User, UserChanges } from './user.js';

export const STARS_CHANNEL = 'stars';
/** User events never carry emails: every subscriber gets the same frame (stars-module.ts). */
export const USERS_CHANNEL = 'users';
export const CACHE_PREFIX = 'stars:';
const LIST_PREFIX = `${CACHE_PREFIX}list:`;
/** Stars announced as deleted when their owner is deleted; beyond this clients see them on reload. */
const MAX_CASCADE_EVENTS = 1000;

export const cacheKeys = {
  star: (id: string) => `${CACHE_PREFIX}star:${id}`,
  active: (page: PageRequest) => `${LIST_PREFIX}active:${pageLimit(page.limit)}:${page.cursor ?? ''}`,
  popular: (page: PageRequest) => `${LIST_PREFIX}popular:${pageLimit(page.limit)}:${page.cursor ?? ''}`,
};

export type ChangeType = 'create' | 'update' | 'delete';

/** What the event streams carry: `{ type, data }`, data being the star or user as the API shows it. */
export interface ChangeEvent<T> {
  type: ChangeType;
  data: T;
}

/**
 * Who is asking. Null when AUTH_MODE=none: nobody is identified and callers name the user in the
 * request, as the Star Map API always did.
 */
export type Actor = { userId: string; admin: boolean } | null;

export interface CreateStarInput {
  /** Required when the actor is null; defaults to the actor's user otherwise. */
  userId?: string;
  name: string;
  message?: string;
  ra: number;
  dec: number;
  color?: string;
  ttlSeconds?: number;
  active?: boolean;
}

export interface StarsServiceOptions {
  store: StarsStore;
  cache: Cache;
  /**
   * Where change events go when the store cannot write them with the change (`store.announces`
   * false: Table Storage). The outbox's publisher in the roles: the event is stored before the
   * write is acknowledged and reaches the bus once it answers.
   */
  events: EventPublisher;
  /** REDIS_POPULARITY_WINDOW: likes younger than this count for the popular list. */
  popularityWindowSeconds: number;
  /** Epoch milliseconds. */
  clock?: () => number;
}

export class StarsService {
  readonly #store: StarsStore;
  readonly #cache: Cache;
  readonly #events: EventPublisher;
  readonly #windowSeconds: number;
  readonly #clock: () => number;

  constructor(options: StarsServiceOptions) {
    this.#store = options.store;
    this.#cache = options.cache;
    this.#events = options.events;
    this.#windowSeconds = options.popularityWindowSeconds;
    this.#clock = options.clock ?? Date.now;
  }

  // Stars

  async listStars(page: PageRequest): Promise<Page<StarResponse>> {
    const now = this.#now();
    const result = await this.#store.listStars(page);
    return { items: result.items.map((star) => starView(star, now)), nextCursor: result.nextCursor };
  }

  /**
   * The star as JSON text. Cached reads return the stored text as it is (no parse, no
   * serialization) unless a star in it has expired since, which is rare and recomputed.
   */
  async getStarJson(id: string): Promise<string> {
    const cached = await this.#cache.getOrLoad(cacheKeys.star(id), async () => {
      const star = await this.#store.getStar(id);
      return star === undefined ? undefined : cachedJson(starView(star, this.#now()), [star.expiresAt]);
    });
    if (cached === undefined) throw errors.notFound(`Star ${id} does not exist.`);
    if (!isStale(cached, this.#clock())) return cached.json;
    return JSON.stringify(this.#fresh(JSON.parse(cached.json) as StarResponse, this.#clock()));
  }

  async listActiveStarsJson(page: PageRequest): Promise<string> {
    const cached = await this.#cache.getOrLoad(cacheKeys.active(page), async () => {
      const result = await this.#store.listActiveStars(page);
      const now = this.#now();
      const items = result.items.map((star) => starView(star, now));
      return cachedJson(
        { items, nextCursor: result.nextCursor },
        result.items.map((star) => star.expiresAt),
      );
    });
    const now = this.#clock();
    if (!isStale(cached, now)) return cached.json;
    // A star that expired since leaves the list at once, not at the TTL.
    const stale = JSON.parse(cached.json) as Page<StarResponse>;
    return JSON.stringify({
      items: stale.items.filter((view) => !expired(view, now)),
      nextCursor: stale.nextCursor,
    });
  }

  async listPopularStarsJson(page: PageRequest): Promise<string> {
    const cached = await this.#cache.getOrLoad(cacheKeys.popular(page), async () => {
      const result = await this.#store.listPopularStars({ ...page, windowSeconds: this.#windowSeconds });
      const now = this.#now();
      const items = result.items.map((star) => popularStarView(star, now));
      return cachedJson(
        { items, nextCursor: result.nextCursor },
        result.items.map((star) => star.expiresAt),
      );
    });
    const now = this.#clock();
    if (!isStale(cached, now)) return cached.json;
    const stale = JSON.parse(cached.json) as Page<PopularStarResponse>;
    return JSON.stringify({
      items: stale.items.map((view) => this.#fresh(view, now)),
      nextCursor: stale.nextCursor,
    });
  }

  async listStarsByUser(userId: string, page: PageRequest): Promise<Page<StarResponse>> {
    if ((await this.#store.getUser(userId)) === undefined) {
      throw errors.notFound(`User ${userId} does not exist.`);
    }
    const now = this.#now();
    const result = await this.#store.listStarsByUser(userId, page);
    return { items: result.items.map((star) => starView(star, now)), nextCursor: result.nextCursor };
  }

  async createStar(actor: Actor, input: CreateStarInput): Promise<StarResponse> {
    const userId = input.userId ?? actor?.userId;
    if (userId === undefined) throw errors.badRequest('userId is required.');
    // Even an admin creates stars only as themselves: a star is someone's own mark on the map.
    if (actor !== null && userId !== actor.userId) {
      throw errors.forbidden('You can create stars only as yourself.');
    }
    const star = await this.#write<Star>(
      (announce) =>
        this.#store.createStar(
          {
            userId,
            name: input.name,
            message: input.message ?? null,
            ra: input.ra,
            dec: input.dec,
            color: input.color ?? null,
            expiresAt:
              input.ttlSeconds === undefined ? null : new Date(this.#clock() + input.ttlSeconds * 1000),
            ...(input.active === undefined ? {} : { active: input.active }),
          },
          announce,
        ),
      (created) => [starEvent('create', starView(created, this.#now()))],
    );
    const view = starView(star, this.#now());
    await this.#cache.deleteByPrefix(LIST_PREFIX);
    return view;
  }

  /** The liker is the actor (jwt) or `userId` (none); liking twice changes nothing and says so. */
  async like(
    actor: Actor,
    starId: string,
    userId: string | undefined,
  ): Promise<{ liked: boolean; star: StarResponse }> {
    const liker = userId ?? actor?.userId;
    if (liker === undefined) throw errors.badRequest('userId is required.');
    if (actor !== null && liker !== actor.userId)
      throw errors.forbidden('You can like stars only as yourself.');
    const result = await this.#write<LikeResult>(
      (announce) => this.#store.like(starId, liker, announce),
      (like) => (like.liked ? [starEvent('update', starView(like.star, this.#now()))] : []),
    );
    const view = starView(result.star, this.#now());
    if (result.liked) await this.#invalidateStar(starId);
    return { liked: result.liked, star: view };
  }

  /** Its owner or an admin (jwt); anyone (none). */
  async deleteStar(actor: Actor, id: string): Promise<void> {
    const star = await this.#store.getStar(id);
    if (star === undefined) throw errors.notFound(`Star ${id} does not exist.`);
    if (actor !== null && !actor.admin && star.userId !== actor.userId) {
      throw errors.forbidden('Only its owner or an admin may delete this star.');
    }
    const deleted = await this.#write<boolean>(
      (announce) => this.#store.deleteStar(id, announce),
      (gone) => (gone ? [starEvent('delete', starView(star, this.#now()))] : []),
    );
    if (!deleted) throw errors.notFound(`Star ${id} does not exist.`);
    await this.#invalidateStar(id);
  }

  // Users

  /** Emails only of the viewer's own user (all of them for admins, and with AUTH_MODE=none). */
  async listUsers(viewer: Actor, page: PageRequest): Promise<Page<UserResponse>> {
    const result = await this.#store.listUsers(page);
    return {
      items: result.items.map((user) => userView(user, mayManageUser(viewer, user.id))),
      nextCursor: result.nextCursor,
    };
  }

  async getUser(viewer: Actor, id: string): Promise<UserResponse> {
    const user = await this.#store.getUser(id);
    if (user === undefined) throw errors.notFound(`User ${id} does not exist.`);
    return userView(user, mayManageUser(viewer, id));
  }

  /** With an actor (jwt) the new user is the actor's own, under the id their token gives them. */
  async createUser(actor: Actor, input: { name: string; email?: string }): Promise<UserResponse> {
    const user = await this.#write<User>(
      (announce) =>
        this.#store.createUser(
          { ...(actor === null ? {} : { id: actor.userId }), name: input.name, email: input.email ?? null },
          announce,
        ),
      (created) => [userEvent('create', userView(created, false))],
    );
    return userView(user, true);
  }

  /** That user or an admin (jwt); anyone (none). */
  async updateUser(actor: Actor, id: string, changes: UserChanges): Promise<UserResponse> {
    this.#mustManageUser(actor, id);
    const user = await this.#write<User | undefined>(
      (announce) => this.#store.updateUser(id, changes, announce),
      (updated) => (updated === undefined ? [] : [userEvent('update', userView(updated, false))]),
    );
    if (user === undefined) throw errors.notFound(`User ${id} does not exist.`);
    return userView(user, true);
  }

  /** That user or an admin (jwt); anyone (none). Their stars go too, each announced as deleted. */
  async deleteUser(actor: Actor, id: string): Promise<void> {
    this.#mustManageUser(actor, id);
    const user = await this.#store.getUser(id);
    if (user === undefined) throw errors.notFound(`User ${id} does not exist.`);
    const stars = await this.#starsOf(id);
    const deleted = await this.#write<boolean>(
      (announce) => this.#store.deleteUser(id, announce),
      (gone) =>
        gone
          ? [userEvent('delete', userView(user, false)), ...stars.map((star) => starEvent('delete', star))]
          : [],
    );
    if (!deleted) throw errors.notFound(`User ${id} does not exist.`);
    // Their likes changed other stars' counters too, so every cached star may be stale.
    await this.#cache.deleteByPrefix(CACHE_PREFIX);
  }

  // Admin and debug

  /** The store's driver, tables and row counts. */
  stats(): Promise<StarsStoreStats> {
    return this.#store.stats();
  }

  /** Why stars are or are not active: the counts, the store's first page (uncached), and whether the cache has it. */
  async diagnoseActive() {
    const now = this.#now();
    const [stats, page, cached] = await Promise.all([
      this.#store.stats(),
      this.#store.listActiveStars({}),
      this.#cache.get(cacheKeys.active({})),
    ]);
    return {
      now: now.toISOString(),
      activeStars: stats.activeStars,
      expiredStars: stats.expiredStars,
      inactiveStars: stats.inactiveStars,
      firstPageFromStore: {
        items: page.items.map((star) => starView(star, now)),
        nextCursor: page.nextCursor,
      },
      firstPageCached: cached !== undefined,
    };
  }

  async flushCache(): Promise<void> {
    await this.#cache.deleteByPrefix(CACHE_PREFIX);
  }

  async recomputeLikes(): Promise<{ starsChecked: number; corrected: number }> {
    const result = await this.#store.recomputeLikes();
    if (result.corrected > 0) await this.flushCache();
    return result;
  }

  #mustManageUser(actor: Actor, id: string): void {
    if (!mayManageUser(actor, id)) throw errors.forbidden('Only that user or an admin may change this user.');
  }

  async #starsOf(userId: string): Promise<StarResponse[]> {
    const views: StarResponse[] = [];
    let cursor: string | null = null;
    const now = this.#now();
    do {
      const page = await this.#store.listStarsByUser(userId, { limit: 100, cursor });
      for (const star of page.items) views.push(starView(star, now));
      cursor = page.nextCursor;
    } while (cursor !== null && views.length < MAX_CASCADE_EVENTS);
    return views.slice(0, MAX_CASCADE_EVENTS);
  }

  async #invalidateStar(id: string): Promise<void> {
    await Promise.all([this.#cache.delete(cacheKeys.star(id)), this.#cache.deleteByPrefix(LIST_PREFIX)]);
  }

  /**
   * A write and its change events: the store writes them in the write's transaction when it can
   * (`announces`); otherwise they are published after the write, in order.
   */
  async #write<T>(write: (announce?: Announce<T>) => Promise<T>, events: Announce<T>): Promise<T> {
    if (this.#store.announces) return write(events);
    const result = await write();
    for (const event of events(result)) await this.#events.publish(event.channel, event.data);
    return result;
  }

  /** `active` as it is now: a cached view may predate the star's expiry. */
  #fresh<T extends StarResponse>(view: T, now: number): T {
    return view.active && expired(view, now) ? { ...view, active: false } : view;
  }

  #now(): Date {
    return new Date(this.#clock());
  }
}

function starEvent(type: ChangeType, data: StarResponse): OutboxMessage {
  return { channel: STARS_CHANNEL, data: { type, data } satisfies ChangeEvent<StarResponse> };
}

function userEvent(type: ChangeType, data: UserResponse): OutboxMessage {
  return { channel: USERS_CHANNEL, data: { type, data } satisfies ChangeEvent<UserResponse> };
}

/** That user or an admin (jwt); anyone (none). */
function mayManageUser(actor: Actor, userId: string): boolean {
  return actor === null || actor.admin || actor.userId === userId;
}

/**
 * What the hot reads cache: the response's JSON text, and when the first star in it expires
 * (its `active` then reads differently), so a hit is sent without parsing or serializing.
 */
interface CachedJson {
  json: string;
  staleAt: number | null;
}

function cachedJson(value: unknown, expiries: Array<Date | null>): CachedJson {
  let staleAt: number | null = null;
  for (const expiry of expiries) {
    if (expiry !== null && (staleAt === null || expiry.getTime() < staleAt)) staleAt = expiry.getTime();
  }
  return { json: JSON.stringify(value), staleAt };
}

function isStale(cached: CachedJson, now: number): boolean {
  return cached.staleAt !== null && cached.staleAt <= now;
}

function expired(view: StarResponse, now: number): boolean {
  return view.expiresAt !== null && Date.parse(view.expiresAt) <= now;
}
