// StarsStore on PostgreSQL or PGlite through Kysely. Likes are exact because one statement
// inserts the (star, user) row under its primary key and bumps the counter only if it inserted.
import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import { errors } from '../../platform/errors/app-error.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import type { OutboxWriter } from '../../platform/outbox/outbox.js';
import { isStoreId } from './ids.js';
import {
  decodeIdCursor,
  decodePopularCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from './page-cursor.js';
import type { NewStar, PopularStar, Star } from './star.js';
import type {
  Announce,
  Clock,
  LikeResult,
  PopularRequest,
  RecomputeResult,
  StarsStore,
  StarsStoreStats,
} from './stars-store.js';
import type { StarsTables } from './stars-tables.js';
import type { NewUser, User, UserChanges } from './user.js';
import { UuidV7Generator } from './uuid-v7.js';

type StarRow = Selectable<StarsTables['stars']>;
type UserRow = Selectable<StarsTables['star_users']>;
type StarsQuery = SelectQueryBuilder<StarsTables, 'stars', StarRow>;

export interface PostgresStarsStoreOptions {
  db: Kysely<StarsTables>;
  /** Shown on /health and in stats: `postgres` or `pglite`. */
  driver: 'postgres' | 'pglite';
  clock?: Clock;
  /** Where writes put their change events, in their own transaction; without it `announces` is false. */
  outbox?: OutboxWriter;
}

const FOREIGN_KEY_VIOLATION = '23503';

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toStar(row: StarRow): Star {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    message: row.message,
    ra: row.ra,
    dec: row.dec,
    color: row.color,
    likes: row.likes,
    active: row.active,
    createdAt: new Date(row.created_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  };
}

export class PostgresStarsStore implements StarsStore {
  readonly health: DependencyCheck;
  readonly announces: boolean;
  private readonly db: Kysely<StarsTables>;
  private readonly outbox: OutboxWriter | undefined;
  private readonly driver: 'postgres' | 'pglite';
  private readonly clock: Clock;
  private readonly ids = new UuidV7Generator();

  constructor(options: PostgresStarsStoreOptions) {
    this.db = options.db;
    this.outbox = options.outbox;
    this.announces = options.outbox !== undefined;
    this.driver = options.driver;
    this.clock = options.clock ?? Date.now;
    this.health = {
      name: 'stars-store',
      driver: this.driver,
      required: true,
      check: async () => {
        await sql`select 1`.execute(this.db);
        return { status: 'healthy' };
      },
    };
  }

  async init(): Promise<void> {
    // The platform's migrator owns the schema (stars-migrations.ts).
  }

  async close(): Promise<void> {
    // The Kysely instance belongs to the platform, which destroys it.
  }

  private now(): Date {
    return new Date(this.clock());
  }

  /**
   * Runs a write with its change events: both in one transaction when there are events to write
   * (or `transactional`), the relay woken after the commit; otherwise as one statement on `db`.
   */
  private async write<T>(
    announce: Announce<T> | undefined,
    fn: (db: Kysely<StarsTables>) => Promise<T>,
    transactional = false,
  ): Promise<T> {
    const outbox = announce === undefined ? undefined : this.outbox;
    if (outbox === undefined && !transactional) return fn(this.db);
    const result = await this.db.transaction().execute(async (tx) => {
      const value = await fn(tx);
      if (outbox !== undefined && announce !== undefined) await outbox.append(tx, announce(value));
      return value;
    });
    outbox?.committed();
    return result;
  }

  async createUser(input: NewUser, announce?: Announce<User>): Promise<User> {
    const now = this.now();
    const id = input.id ?? this.ids.next(now.getTime());
    return this.write(announce, async (db) => {
      const row = await db
        .insertInto('star_users')
        .values({ id, name: input.name, email: input.email ?? null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw errors.conflict(`User ${id} already exists.`);
      return toUser(row);
    });
  }

  async getUser(id: string): Promise<User | undefined> {
    if (!isStoreId(id)) return undefined;
    const row = await this.db.selectFrom('star_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async updateUser(
    id: string,
    changes: UserChanges,
    announce?: Announce<User | undefined>,
  ): Promise<User | undefined> {
    if (!isStoreId(id)) return undefined;
    return this.write(announce, async (db) => {
      const row = await db
        .updateTable('star_users')
        .set({
          ...(changes.name === undefined ? {} : { name: changes.name }),
          ...(changes.email === undefined ? {} : { email: changes.email }),
          updated_at: this.now(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    });
  }

  async deleteUser(id: string, announce?: Announce<boolean>): Promise<boolean> {
    if (!isStoreId(id)) return false;
    const cascade = async (tx: Kysely<StarsTables>) => {
      // The row lock conflicts with the key-share lock a concurrent like's foreign key takes,
      // so no like by this user can slip in between the decrement and the cascade.
      const user = await tx
        .selectFrom('star_users')
        .select('id')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (user === undefined) return false;
      await tx
        .updateTable('stars')
        .set((eb) => ({ likes: eb('likes', '-', 1) }))
        .where('id', 'in', (eb) => eb.selectFrom('star_likes').select('star_id').where('user_id', '=', id))
        .execute();
      // Cascades to the user's stars, their likes, and the likes the user gave.
      await tx.deleteFrom('star_users').where('id', '=', id).execute();
      return true;
    };
    return this.write(announce, cascade, true);
  }

  async listUsers(page: PageRequest): Promise<Page<User>> {
    const limit = pageLimit(page.limit);
    const after = decodeIdCursor(page.cursor);
    let query = this.db.selectFrom('star_users').selectAll();
    if (after !== undefined) query = query.where('id', '>', after.id);
    const rows = await query
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(toUser), limit, (user) => ({ id: user.id }));
  }

  async createStar(input: NewStar, announce?: Announce<Star>): Promise<Star> {
    const now = this.now();
    if (!isStoreId(input.userId)) throw errors.notFound(`User ${input.userId} does not exist.`);
    try {
      return await this.write(announce, async (db) => {
        const row = await db
          .insertInto('stars')
          .values({
            id: this.ids.next(now.getTime()),
            user_id: input.userId,
            name: input.name,
            message: input.message ?? null,
            ra: input.ra,
            dec: input.dec,
            color: input.color ?? null,
            active: input.active ?? true,
            created_at: now,
            expires_at: input.expiresAt ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toStar(row);
      });
    } catch (error) {
      if (hasCode(error, FOREIGN_KEY_VIOLATION)) {
        throw errors.notFound(`User ${input.userId} does not exist.`);
      }
      throw error;
    }
  }

  async getStar(id: string): Promise<Star | undefined> {
    if (!isStoreId(id)) return undefined;
    const row = await this.db.selectFrom('stars').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toStar(row);
  }

  async deleteStar(id: string, announce?: Announce<boolean>): Promise<boolean> {
    if (!isStoreId(id)) return false;
    return this.write(announce, async (db) => {
      const result = await db.deleteFrom('stars').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async listStars(page: PageRequest): Promise<Page<Star>> {
    return this.listStarsWhere(page, (query) => query);
  }

  async listStarsByUser(userId: string, page: PageRequest): Promise<Page<Star>> {
    if (!isStoreId(userId)) {
      decodeIdCursor(page.cursor);
      return { items: [], nextCursor: null };
    }
    return this.listStarsWhere(page, (query) => query.where('user_id', '=', userId));
  }

  async listActiveStars(page: PageRequest): Promise<Page<Star>> {
    const now = this.now();
    return this.listStarsWhere(page, (query) =>
      query
        .where('active', '=', true)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])),
    );
  }

  private async listStarsWhere(
    page: PageRequest,
    filter: (query: StarsQuery) => StarsQuery,
  ): Promise<Page<Star>> {
    const limit = pageLimit(page.limit);
    const after = decodeIdCursor(page.cursor);
    let query = filter(this.db.selectFrom('stars').selectAll());
    if (after !== undefined) query = query.where('id', '>', after.id);
    const rows = await query
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(toStar), limit, (star) => ({ id: star.id }));
  }

  async listPopularStars(request: PopularRequest): Promise<Page<PopularStar>> {
    const limit = pageLimit(request.limit);
    const after = decodePopularCursor(request.cursor);
    const since = new Date(this.clock() - request.windowSeconds * 1000);
    const windowed = this.db
      .selectFrom('star_likes')
      .where('created_at', '>=', since)
      .groupBy('star_id')
      .select(['star_id', sql<number>`count(*)::int`.as('window_likes')]);
    let query = this.db
      .selectFrom(windowed.as('w'))
      .innerJoin('stars as s', 's.id', 'w.star_id')
      .selectAll('s')
      .select('w.window_likes');
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('w.window_likes', '<', after.likes),
          eb.and([eb('w.window_likes', '=', after.likes), eb('s.id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('w.window_likes', 'desc')
      .orderBy('s.id')
      .limit(limit + 1)
      .execute();
    const items = rows.map((row) => ({ ...toStar(row), windowLikes: row.window_likes }));
    return toPage(items, limit, (star) => ({ likes: star.windowLikes, id: star.id }));
  }

  async like(starId: string, userId: string, announce?: Announce<LikeResult>): Promise<LikeResult> {
    if (!isStoreId(starId)) throw errors.notFound(`Star ${starId} does not exist.`);
    if (!isStoreId(userId)) throw errors.notFound(`User ${userId} does not exist.`);
    const at = this.now();
    try {
      return await this.write(announce, (db) => this.likeIn(db, starId, userId, at));
    } catch (error) {
      if (!hasCode(error, FOREIGN_KEY_VIOLATION)) throw error;
      const star = await this.getStar(starId);
      throw star === undefined
        ? errors.notFound(`Star ${starId} does not exist.`)
        : errors.notFound(`User ${userId} does not exist.`);
    }
  }

  private async likeIn(
    db: Kysely<StarsTables>,
    starId: string,
    userId: string,
    at: Date,
  ): Promise<LikeResult> {
    // One statement: the counter moves only when the (star, user) key was new, and the
    // update's row lock serializes concurrent likes of the same star.
    const row = await db
      .with('inserted', (cte) =>
        cte
          .insertInto('star_likes')
          .values({ star_id: starId, user_id: userId, created_at: at })
          .onConflict((oc) => oc.doNothing())
          .returning('star_id'),
      )
      .updateTable('stars')
      .set((eb) => ({ likes: eb('likes', '+', 1) }))
      .where('id', 'in', (eb) => eb.selectFrom('inserted').select('star_id'))
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { liked: true, star: toStar(row) };
    const found = await db.selectFrom('stars').selectAll().where('id', '=', starId).executeTakeFirst();
    if (found === undefined) throw errors.notFound(`Star ${starId} does not exist.`);
    return { liked: false, star: toStar(found) };
  }

  async stats(): Promise<StarsStoreStats> {
    const now = this.now();
    const result = await sql<{
      users: number;
      stars: number;
      likes: number;
      active_stars: number;
      expired_stars: number;
      inactive_stars: number;
    }>`
      select
        (select count(*) from star_users)::int as users,
        (select count(*) from stars)::int as stars,
        (select count(*) from star_likes)::int as likes,
        (select count(*) from stars where active and (expires_at is null or expires_at > ${now}))::int
          as active_stars,
        (select count(*) from stars where active and expires_at <= ${now})::int as expired_stars,
        (select count(*) from stars where not active)::int as inactive_stars
    `.execute(this.db);
    const counts = result.rows[0];
    if (counts === undefined) throw new Error('stats query returned no row');
    return {
      driver: this.driver,
      users: counts.users,
      stars: counts.stars,
      likes: counts.likes,
      activeStars: counts.active_stars,
      expiredStars: counts.expired_stars,
      inactiveStars: counts.inactive_stars,
      tables: [
        { name: 'star_users', rows: counts.users },
        { name: 'stars', rows: counts.stars },
        { name: 'star_likes', rows: counts.likes },
      ],
    };
  }

  async recomputeLikes(): Promise<RecomputeResult> {
    return this.db.transaction().execute(async (tx) => {
      // SHARE mode blocks new likes (not reads) so no increment lands between count and write.
      await sql`lock table star_likes in share mode`.execute(tx);
      const result = await sql<{ checked: number; corrected: number }>`
        with counted as (
          select s.id, (select count(*) from star_likes l where l.star_id = s.id)::int as n
          from stars s
        ),
        updated as (
          update stars set likes = counted.n from counted
          where stars.id = counted.id and stars.likes <> counted.n
          returning stars.id
        )
        select (select count(*) from counted)::int as checked, (select count(*) from updated)::int as corrected
      `.execute(tx);
      const row = result.rows[0];
      return { starsChecked: row?.checked ?? 0, corrected: row?.corrected ?? 0 };
    });
  }
}
