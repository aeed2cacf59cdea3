// StarsStore on Azure Table Storage (@azure/data-tables). Table names are `{prefix}{name}`:
//
//   users      PK userId, RK "user"       name, email, createdAt, updatedAt
//   stars      PK starId, RK "star"       userId, name, message, ra, dec, color, likes, active,
//                                         createdAt, expiresAt ("9999…" when it never expires)
//   likes      PK starId, RK userId       createdAt: one entity per like, so createEntity's 409
//                                         makes a like idempotent and a star's likes are one
//                                         partition (counted by recompute, removed with the star)
//   userindex  PK userId, RK "s_{starId}" a star the user owns   (their list, cascade)
//              PK userId, RK "l_{starId}" a like the user gave   (cascade), with createdAt
//   likewindow PK "YYYY-MM-DDTHH" (hour of the like), RK "{starId}_{userId}", starId, createdAt
//
// Why: every point read and write names one partition, so load spreads over the account.
// Listings walk PartitionKey order, which is id order because ids are UUIDv7; the whole-table
// lists (users, stars, active) are filtered scans, fine for the sizes a star map has and the
// price of not keeping a second copy of every star in one hot partition. The active filter runs
// on the server (`expiresAt` is an ISO string, so string comparison is time comparison); an
// index keyed by expiry could not stay exact without a sweeper. Popular reads one contiguous
// range of hour partitions (window/3600 + 1 of them), filters exact times, and groups in
// memory: its cost follows the likes in the window, not all likes ever. A partition per star
// would make the window query a scan of every like.
//
// The counter `likes` on the star entity moves only after the like entity was created, by an
// ETag-guarded merge retried on 412 with jittered backoff. Table Storage has no transactions
// across partitions, so a crash between the two leaves the counter short; `recomputeLikes`
// re-derives it from the likes partition. If the retries run out the like is undone and the
// caller gets a 503, so an answered like is always counted.
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { errors } from '../../platform/errors/app-error.js';
import { backoffDelayMs } from '../../platform/resilience/backoff-delay.js';
import { statusOf } from '../../platform/resilience/failure-classification.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
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
  Clock,
  LikeResult,
  PopularRequest,
  RecomputeResult,
  StarsStore,
  StarsStoreStats,
} from './stars-store.js';
import type { TableClientFactory } from './tables-client-factory.js';
import type { NewUser, User, UserChanges } from './user.js';
import { UuidV7Generator } from './uuid-v7.js';

export interface EtagRetryOptions {
  /** Tries of one counter update before the like is undone with a 503. Default 100. */
  attempts?: number;
  /** First backoff ceiling; each retry doubles it (full jitter). Default 4 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 250 ms. */
  maxDelayMs?: number;
}

export interface TablesStarsStoreOptions {
  tables: TableClientFactory;
  /** Letters and digits, starting with a letter; tables are `{prefix}users` etc. Default `stars`. */
  tablePrefix?: string;
  clock?: Clock;
  etagRetry?: EtagRetryOptions;
}

const NEVER = '9999-12-31T23:59:59.999Z';
const STAR_ROW = 'star';
const USER_ROW = 'user';
/** Parallel requests one store call makes at most (deletes, point reads). */
const FAN_OUT = 16;

interface UserEntity {
  name: string;
  email?: string;
  createdAt: string;
  updatedAt: string;
}

interface StarEntity {
  userId: string;
  name: string;
  message?: string;
  ra: number;
  dec: number;
  color?: string;
  likes: number;
  active: boolean;
  createdAt: string;
  expiresAt: string;
}

interface LikeEntity {
  createdAt: string;
}

interface WindowEntity {
  starId: string;
  createdAt: string;
}

const hourBucket = (iso: string) => iso.slice(0, 13);

/** Runs `fn` on every item with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function toUser(entity: TableEntityResult<UserEntity>): User {
  return {
    id: entity.partitionKey ?? '',
    name: entity.name,
    email: entity.email ?? null,
    createdAt: new Date(entity.createdAt),
    updatedAt: new Date(entity.updatedAt),
  };
}

function toStar(entity: TableEntityResult<StarEntity>): Star {
  return {
    id: entity.partitionKey ?? '',
    userId: entity.userId,
    name: entity.name,
    message: entity.message ?? null,
    ra: entity.ra,
    dec: entity.dec,
    color: entity.color ?? null,
    likes: entity.likes,
    active: entity.active,
    createdAt: new Date(entity.createdAt),
    expiresAt: entity.expiresAt === NEVER ? null : new Date(entity.expiresAt),
  };
}

export class TablesStarsStore implements StarsStore {
  /** Table Storage cannot join the outbox's SQL transaction: the service publishes after each write. */
  readonly announces = false;
  readonly health: DependencyCheck;
  private readonly users: TableClient;
  private readonly stars: TableClient;
  private readonly likes: TableClient;
  private readonly userIndex: TableClient;
  private readonly likeWindow: TableClient;
  private readonly clock: Clock;
  private readonly ids = new UuidV7Generator();
  private readonly retry: Required<EtagRetryOptions>;
  private tablesReady: Promise<void> | undefined;

  constructor(options: TablesStarsStoreOptions) {
    const prefix = options.tablePrefix ?? 'stars';
    if (!/^[A-Za-z][A-Za-z0-9]{0,50}$/.test(prefix)) {
      throw new Error(`tablePrefix must be letters and digits starting with a letter, got "${prefix}"`);
    }
    this.users = options.tables(`${prefix}users`);
    this.stars = options.tables(`${prefix}stars`);
    this.likes = options.tables(`${prefix}likes`);
    this.userIndex = options.tables(`${prefix}userindex`);
    this.likeWindow = options.tables(`${prefix}likewindow`);
    this.clock = options.clock ?? Date.now;
    this.retry = { attempts: 100, baseDelayMs: 4, maxDelayMs: 250, ...options.etagRetry };
    this.health = {
      name: 'stars-store',
      driver: 'tables',
      required: true,
      check: async (signal) => {
        await this.ready();
        const pages = this.users.listEntities({ abortSignal: signal }).byPage({ maxPageSize: 1 });
        await pages.next();
        return { status: 'healthy' };
      },
    };
  }

  private get allTables(): TableClient[] {
    return [this.users, this.stars, this.likes, this.userIndex, this.likeWindow];
  }

  /** Creates the tables once per store (per process); a failure lets the next call try again. */
  private ready(): Promise<void> {
    this.tablesReady ??= Promise.all(this.allTables.map((table) => table.createTable())).then(
      () => undefined,
      (error: unknown) => {
        this.tablesReady = undefined;
        throw error;
      },
    );
    return this.tablesReady;
  }

  async init(): Promise<void> {
    await this.ready();
  }

  async close(): Promise<void> {
    // TableClients hold no connections of their own to release.
  }

  private nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  /** The entity, or undefined on 404. */
  private async read<T extends object>(
    table: TableClient,
    partitionKey: string,
    rowKey: string,
  ): Promise<TableEntityResult<T> | undefined> {
    try {
      return await table.getEntity<T>(partitionKey, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** True when it deleted, false when there was nothing to delete. */
  private async remove(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
    try {
      await table.deleteEntity(partitionKey, rowKey);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  /** Up to `count` entities matching `filter`, in key order. */
  private async scan<T extends object>(
    table: TableClient,
    filter: string | undefined,
    count: number,
    select?: string[],
  ): Promise<Array<TableEntityResult<T>>> {
    const found: Array<TableEntityResult<T>> = [];
    const pages = table
      .listEntities<T>({
        queryOptions: { ...(filter === undefined ? {} : { filter }), ...(select ? { select } : {}) },
      })
      .byPage({ maxPageSize: Math.min(1000, Math.max(1, count)) });
    for await (const page of pages) {
      for (const entity of page) {
        found.push(entity);
        if (found.length >= count) return found;
      }
    }
    return found;
  }

  private async countRows(table: TableClient, filter?: string): Promise<number> {
    let rows = 0;
    const pages = table
      .listEntities({ queryOptions: { ...(filter === undefined ? {} : { filter }), select: ['RowKey'] } })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) rows += page.length;
    return rows;
  }

  // Users

  async createUser(input: NewUser): Promise<User> {
    await this.ready();
    const now = this.nowIso();
    const id = input.id ?? this.ids.next(Date.parse(now));
    const entity: UserEntity = {
      name: input.name,
      ...(input.email === undefined || input.email === null ? {} : { email: input.email }),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.users.createEntity({ partitionKey: id, rowKey: USER_ROW, ...entity });
    } catch (error) {
      if (statusOf(error) === 409) throw errors.conflict(`User ${id} already exists.`);
      throw error;
    }
    return toUser({ partitionKey: id, rowKey: USER_ROW, etag: '', ...entity });
  }

  async getUser(id: string): Promise<User | undefined> {
    if (!isStoreId(id)) return undefined;
    await this.ready();
    const entity = await this.read<UserEntity>(this.users, id, USER_ROW);
    return entity === undefined ? undefined : toUser(entity);
  }

  async updateUser(id: string, changes: UserChanges): Promise<User | undefined> {
    if (!isStoreId(id)) return undefined;
    await this.ready();
    for (;;) {
      const current = await this.read<UserEntity>(this.users, id, USER_ROW);
      if (current === undefined) return undefined;
      const email = changes.email === undefined ? current.email : (changes.email ?? undefined);
      const next: UserEntity = {
        name: changes.name ?? current.name,
        ...(email === undefined ? {} : { email }),
        createdAt: current.createdAt,
        updatedAt: this.nowIso(),
      };
      try {
        // Replace (not merge) so a cleared email disappears; the ETag keeps a concurrent edit.
        await this.users.updateEntity({ partitionKey: id, rowKey: USER_ROW, ...next }, 'Replace', {
          etag: current.etag,
        });
        return toUser({ partitionKey: id, rowKey: USER_ROW, etag: '', ...next });
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        if (statusOf(error) !== 412) throw error;
      }
    }
  }

  async deleteUser(id: string): Promise<boolean> {
    if (!isStoreId(id)) return false;
    await this.ready();
    // The user goes first, so new stars and likes naming them are refused from here on.
    if (!(await this.remove(this.users, id, USER_ROW))) return false;
    const index = await this.scan<LikeEntity>(
      this.userIndex,
      odata`PartitionKey eq ${id}`,
      Number.MAX_SAFE_INTEGER,
    );
    await eachLimited(index, FAN_OUT, async (entry) => {
      const rowKey = entry.rowKey ?? '';
      const starId = rowKey.slice(2);
      if (rowKey.startsWith('s_')) await this.deleteStar(starId);
      else if (rowKey.startsWith('l_')) await this.unlike(starId, id, entry.createdAt);
      await this.remove(this.userIndex, id, rowKey);
    });
    return true;
  }

  async listUsers(page: PageRequest): Promise<Page<User>> {
    const limit = pageLimit(page.limit);
    const after = decodeIdCursor(page.cursor);
    await this.ready();
    const filter = after === undefined ? undefined : odata`PartitionKey gt ${after.id}`;
    const rows = await this.scan<UserEntity>(this.users, filter, limit + 1);
    return toPage(rows.map(toUser), limit, (user) => ({ id: user.id }));
  }

  // Stars

  async createStar(input: NewStar): Promise<Star> {
    if (!isStoreId(input.userId)) throw errors.notFound(`User ${input.userId} does not exist.`);
    await this.ready();
    if ((await this.read(this.users, input.userId, USER_ROW)) === undefined) {
      throw errors.notFound(`User ${input.userId} does not exist.`);
    }
    const now = this.nowIso();
    const id = this.ids.next(Date.parse(now));
    const entity: StarEntity = {
      userId: input.userId,
      name: input.name,
      ...(input.message === undefined || input.message === null ? {} : { message: input.message }),
      ra: input.ra,
      dec: input.dec,
      ...(input.color === undefined || input.color === null ? {} : { color: input.color }),
      likes: 0,
      active: input.active ?? true,
      createdAt: now,
      expiresAt: input.expiresAt?.toISOString() ?? NEVER,
    };
    // The index entry first: a star the index misses could outlive its owner's deletion.
    await this.userIndex.upsertEntity({ partitionKey: input.userId, rowKey: `s_${id}` }, 'Replace');
    await this.stars.createEntity({ partitionKey: id, rowKey: STAR_ROW, ...entity });
    // The owner may have been deleted meanwhile; then this star must not stay behind.
    if ((await this.read(this.users, input.userId, USER_ROW)) === undefined) {
      await this.deleteStar(id);
      throw errors.notFound(`User ${input.userId} does not exist.`);
    }
    return toStar({ partitionKey: id, rowKey: STAR_ROW, etag: '', ...entity });
  }

  async getStar(id: string): Promise<Star | undefined> {
    if (!isStoreId(id)) return undefined;
    await this.ready();
    const entity = await this.read<StarEntity>(this.stars, id, STAR_ROW);
    return entity === undefined ? undefined : toStar(entity);
  }

  async deleteStar(id: string): Promise<boolean> {
    if (!isStoreId(id)) return false;
    await this.ready();
    const star = await this.read<StarEntity>(this.stars, id, STAR_ROW);
    if (star === undefined) return false;
    // The star first: from then on reads miss it and likes of it are refused.
    if (!(await this.remove(this.stars, id, STAR_ROW))) return false;
    const likes = await this.scan<LikeEntity>(
      this.likes,
      odata`PartitionKey eq ${id}`,
      Number.MAX_SAFE_INTEGER,
    );
    await eachLimited(likes, FAN_OUT, async (like) => {
      const userId = like.rowKey ?? '';
      await Promise.all([
        this.remove(this.userIndex, userId, `l_${id}`),
        this.remove(this.likeWindow, hourBucket(like.createdAt), `${id}_${userId}`),
      ]);
      await this.remove(this.likes, id, userId);
    });
    await this.remove(this.userIndex, star.userId, `s_${id}`);
    return true;
  }

  async listStars(page: PageRequest): Promise<Page<Star>> {
    return this.listStarsWhere(page, odata`RowKey eq ${STAR_ROW}`);
  }

  async listActiveStars(page: PageRequest): Promise<Page<Star>> {
    return this.listStarsWhere(
      page,
      odata`RowKey eq ${STAR_ROW} and active eq true and expiresAt gt ${this.nowIso()}`,
    );
  }

  private async listStarsWhere(page: PageRequest, filter: string): Promise<Page<Star>> {
    const limit = pageLimit(page.limit);
    const after = decodeIdCursor(page.cursor);
    await this.ready();
    const where = after === undefined ? filter : `${filter} and ${odata`PartitionKey gt ${after.id}`}`;
    const rows = await this.scan<StarEntity>(this.stars, where, limit + 1);
    return toPage(rows.map(toStar), limit, (star) => ({ id: star.id }));
  }

  async listStarsByUser(userId: string, page: PageRequest): Promise<Page<Star>> {
    const limit = pageLimit(page.limit);
    const after = decodeIdCursor(page.cursor);
    if (!isStoreId(userId)) return { items: [], nextCursor: null };
    await this.ready();
    // "s_" … "s`" is the range of the user's own stars ('`' follows '_').
    let from = after === undefined ? 's_' : `s_${after.id}`;
    const found: Star[] = [];
    for (;;) {
      const filter =
        after === undefined && from === 's_'
          ? odata`PartitionKey eq ${userId} and RowKey ge ${from} and RowKey lt ${'s`'}`
          : odata`PartitionKey eq ${userId} and RowKey gt ${from} and RowKey lt ${'s`'}`;
      const want = limit + 1 - found.length;
      const entries = await this.scan(this.userIndex, filter, want, ['RowKey']);
      const stars = await this.readStars(entries.map((entry) => (entry.rowKey ?? '').slice(2)));
      // An index entry whose star is gone (a delete in progress) is skipped, not listed.
      found.push(...stars.filter((star): star is Star => star !== undefined));
      const last = entries.at(-1);
      if (entries.length < want || found.length > limit || last === undefined) break;
      from = last.rowKey ?? from;
    }
    return toPage(found, limit, (star) => ({ id: star.id }));
  }

  private async readStars(ids: readonly string[]): Promise<Array<Star | undefined>> {
    const stars = new Array<Star | undefined>(ids.length);
    await eachLimited(
      ids.map((id, index) => ({ id, index })),
      FAN_OUT,
      async ({ id, index }) => {
        const entity = await this.read<StarEntity>(this.stars, id, STAR_ROW);
        stars[index] = entity === undefined ? undefined : toStar(entity);
      },
    );
    return stars;
  }

  async listPopularStars(request: PopularRequest): Promise<Page<PopularStar>> {
    const limit = pageLimit(request.limit);
    const after = decodePopularCursor(request.cursor);
    await this.ready();
    const now = this.clock();
    const since = new Date(now - request.windowSeconds * 1000).toISOString();
    const until = new Date(now).toISOString();
    const filter = odata`PartitionKey ge ${hourBucket(since)} and PartitionKey le ${hourBucket(until)} and createdAt ge ${since}`;
    const counts = new Map<string, number>();
    for (const like of await this.scan<WindowEntity>(this.likeWindow, filter, Number.MAX_SAFE_INTEGER, [
      'starId',
    ])) {
      counts.set(like.starId, (counts.get(like.starId) ?? 0) + 1);
    }
    const ranked = [...counts]
      .map(([id, likes]) => ({ id, likes }))
      .sort((a, b) => b.likes - a.likes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter(
        (key) =>
          after === undefined || key.likes < after.likes || (key.likes === after.likes && key.id > after.id),
      );

    const found: PopularStar[] = [];
    let next = 0;
    while (found.length <= limit && next < ranked.length) {
      const batch = ranked.slice(next, next + (limit + 1 - found.length));
      next += batch.length;
      const stars = await this.readStars(batch.map((key) => key.id));
      stars.forEach((star, index) => {
        const key = batch[index];
        if (star !== undefined && key !== undefined) found.push({ ...star, windowLikes: key.likes });
      });
    }
    return toPage(found, limit, (star) => ({ likes: star.windowLikes, id: star.id }));
  }

  // Likes

  async like(starId: string, userId: string): Promise<LikeResult> {
    if (!isStoreId(starId)) throw errors.notFound(`Star ${starId} does not exist.`);
    if (!isStoreId(userId)) throw errors.notFound(`User ${userId} does not exist.`);
    await this.ready();
    const [star, user] = await Promise.all([
      this.read<StarEntity>(this.stars, starId, STAR_ROW),
      this.read(this.users, userId, USER_ROW),
    ]);
    if (star === undefined) throw errors.notFound(`Star ${starId} does not exist.`);
    if (user === undefined) throw errors.notFound(`User ${userId} does not exist.`);

    const createdAt = this.nowIso();
    try {
      await this.likes.createEntity<LikeEntity>({ partitionKey: starId, rowKey: userId, createdAt });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      const current = await this.getStar(starId);
      if (current === undefined) throw errors.notFound(`Star ${starId} does not exist.`);
      return { liked: false, star: current };
    }
    try {
      await Promise.all([
        this.userIndex.upsertEntity<LikeEntity>(
          { partitionKey: userId, rowKey: `l_${starId}`, createdAt },
          'Replace',
        ),
        this.likeWindow.upsertEntity<WindowEntity>(
          { partitionKey: hourBucket(createdAt), rowKey: `${starId}_${userId}`, starId, createdAt },
          'Replace',
        ),
      ]);
      const updated = await this.addLikes(starId, 1);
      if (updated === undefined) throw errors.notFound(`Star ${starId} does not exist.`);
      return { liked: true, star: updated };
    } catch (error) {
      // Undo so that a like the caller was not told about is not half recorded.
      await this.removeLikeRecords(starId, userId, createdAt);
      throw error;
    }
  }

  /** Removes a like the user gave, and its count, if it is there (user deletion). */
  private async unlike(starId: string, userId: string, createdAt: string): Promise<void> {
    const like = await this.read<LikeEntity>(this.likes, starId, userId);
    if (like === undefined) return;
    if (await this.remove(this.likes, starId, userId)) {
      await this.addLikes(starId, -1);
    }
    await this.remove(this.likeWindow, hourBucket(like.createdAt || createdAt), `${starId}_${userId}`);
  }

  private async removeLikeRecords(starId: string, userId: string, createdAt: string): Promise<void> {
    await Promise.allSettled([
      this.remove(this.likeWindow, hourBucket(createdAt), `${starId}_${userId}`),
      this.remove(this.userIndex, userId, `l_${starId}`),
    ]);
    await this.remove(this.likes, starId, userId).catch(() => false);
  }

  /**
   * Adds `delta` to a star's counter with an ETag-guarded merge, retrying on 412 after a
   * full-jitter backoff. Undefined when the star is gone; a 503 when contention never lets up.
   */
  private async addLikes(starId: string, delta: number): Promise<Star | undefined> {
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      const current = await this.read<StarEntity>(this.stars, starId, STAR_ROW);
      if (current === undefined) return undefined;
      const likes = Math.max(0, current.likes + delta);
      try {
        await this.stars.updateEntity({ partitionKey: starId, rowKey: STAR_ROW, likes }, 'Merge', {
          etag: current.etag,
        });
        return toStar({ ...current, likes });
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) return undefined;
        if (status !== 412) throw error;
      }
      // Contention, not an outage: the platform's full-jitter backoff, outside the storage policy.
      await sleep(backoffDelayMs({ attempt: attempt + 1, ...this.retry, random: Math.random }));
    }
    throw errors.serviceUnavailable('Too many concurrent likes of this star; try again.', 1);
  }

  // Admin

  async stats(): Promise<StarsStoreStats> {
    await this.ready();
    const now = this.nowIso();
    let stars = 0;
    let activeStars = 0;
    let expiredStars = 0;
    let inactiveStars = 0;
    const pages = this.stars
      .listEntities<Pick<StarEntity, 'active' | 'expiresAt'>>({
        queryOptions: { filter: odata`RowKey eq ${STAR_ROW}`, select: ['active', 'expiresAt'] },
      })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      for (const star of page) {
        stars++;
        if (!star.active) inactiveStars++;
        else if (star.expiresAt > now) activeStars++;
        else expiredStars++;
      }
    }
    const [users, likes, userIndex, likeWindow] = await Promise.all([
      this.countRows(this.users),
      this.countRows(this.likes),
      this.countRows(this.userIndex),
      this.countRows(this.likeWindow),
    ]);
    return {
      driver: 'tables',
      users,
      stars,
      likes,
      activeStars,
      expiredStars,
      inactiveStars,
      tables: [
        { name: this.users.tableName, rows: users },
        { name: this.stars.tableName, rows: stars },
        { name: this.likes.tableName, rows: likes },
        { name: this.userIndex.tableName, rows: userIndex },
        { name: this.likeWindow.tableName, rows: likeWindow },
      ],
    };
  }

  async recomputeLikes(): Promise<RecomputeResult> {
    await this.ready();
    const stars = await this.scan<Pick<StarEntity, 'likes'>>(
      this.stars,
      odata`RowKey eq ${STAR_ROW}`,
      Number.MAX_SAFE_INTEGER,
      ['PartitionKey', 'likes'],
    );
    let corrected = 0;
    await eachLimited(stars, FAN_OUT, async (star) => {
      const id = star.partitionKey ?? '';
      for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
        const current = await this.read<StarEntity>(this.stars, id, STAR_ROW);
        if (current === undefined) return;
        const counted = await this.countRows(this.likes, odata`PartitionKey eq ${id}`);
        if (counted === current.likes) return;
        try {
          await this.stars.updateEntity({ partitionKey: id, rowKey: STAR_ROW, likes: counted }, 'Merge', {
            etag: current.etag,
          });
          corrected++;
          return;
        } catch (error) {
          if (statusOf(error) === 404) return;
          if (statusOf(error) !== 412) throw error;
        }
      }
    });
    return { starsChecked: stars.length, corrected };
  }
}
