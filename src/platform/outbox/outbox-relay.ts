// Moves the outbox to the event bus: reads the oldest rows, publishes each with its row id as the
// sequence, deletes what the bus took. At least once (a crash between publish and delete publishes
// again, and the bus drops that redelivery by its sequence), in order per channel (one channel's
// rows go one after another, and a failure stops that channel until the next pass; channels are
// independent). Woken right after a local commit; polls for rows other processes, or a process
// that died, left behind. Several instances may relay the same rows at once: each publishes a
// channel's rows in id order, so the bus keeps the first copy and drops the others.
import type { Counter, Gauge, Registry } from 'prom-client';
import type { EventBus, ManagedEventBus } from '../events/event-bus.js';
import type { CheckResult, DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import { counter, gauge } from '../telemetry/metric-factory.js';
import type { OutboxDb } from './outbox.js';

export interface OutboxRelayOptions {
  /** How often the table is read when nothing woke the relay (1000 ms). */
  pollIntervalMs?: number;
  /** How soon a pass that hit a bus outage is tried again (250 ms). */
  retryDelayMs?: number;
  /** Rows read per query (200). */
  batchSize?: number;
}

export interface OutboxRelayDeps {
  db: OutboxDb;
  /** Where events go; its check becomes the relay's, with the count of events waiting. */
  bus: Pick<EventBus, 'publish'> & Partial<Pick<ManagedEventBus, 'check'>>;
  logger: Logger;
  /** Whether a publish failure means the bus cannot answer now; any other drops that one event. */
  isTransient: (error: unknown) => boolean;
  metrics?: Registry;
}

interface Row {
  id: string;
  channel: string;
  data: string;
}

export interface RelayPass {
  published: number;
  /** Channels whose next event the bus could not take (they wait for the next pass). */
  blocked: number;
}

export class OutboxRelay {
  readonly check: DependencyCheck | undefined;
  readonly #db: OutboxDb;
  readonly #bus: OutboxRelayDeps['bus'];
  readonly #logger: Logger;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #pollIntervalMs: number;
  readonly #retryDelayMs: number;
  readonly #batchSize: number;
  readonly #published: Counter | undefined;
  readonly #dropped: Counter | undefined;
  readonly #pendingGauge: Gauge | undefined;
  #running: Promise<RelayPass> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  /** Whether the last pass met a bus outage (shown as degraded on /health). */
  #blocked = false;

  constructor(options: OutboxRelayOptions, deps: OutboxRelayDeps) {
    this.#db = deps.db;
    this.#bus = deps.bus;
    this.#logger = deps.logger;
    this.#isTransient = deps.isTransient;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#retryDelayMs = options.retryDelayMs ?? 250;
    this.#batchSize = options.batchSize ?? 200;
    if (deps.metrics !== undefined) {
      this.#published = counter(deps.metrics, {
        name: 'azimuth_outbox_published_total',
        help: 'Outbox events handed to the event bus',
        labelNames: [],
      });
      this.#dropped = counter(deps.metrics, {
        name: 'azimuth_outbox_dropped_total',
        help: 'Outbox events the event bus refused (not an outage), dropped so later ones can go',
        labelNames: [],
      });
      this.#pendingGauge = gauge(deps.metrics, {
        name: 'azimuth_outbox_pending',
        help: 'Outbox events found waiting by the last relay pass',
        labelNames: [],
      });
    }
    const busCheck = deps.bus.check;
    this.check =
      busCheck === undefined
        ? undefined
        : { ...busCheck, check: (signal) => this.#checkWith(busCheck, signal) };
  }

  /** Starts polling (and publishes what an earlier process left). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.wake();
  }

  /** Runs a pass soon: after a commit that appended events. Coalesces with a pass under way. */
  wake(): void {
    if (this.#closed) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
    // Awaited by drain(); a failed pass is logged inside and retried by the schedule.
    this.#running.catch(() => undefined);
  }

  /** One pass now (after the one under way), until the outbox is empty or the bus blocks. */
  async drain(): Promise<RelayPass> {
    if (this.#running !== undefined) await this.#running.catch(() => undefined);
    return this.#pass();
  }

  #schedule(): void {
    if (this.#closed || !this.#started) return;
    if (this.#again) {
      this.#again = false;
      this.wake();
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), this.#blocked ? this.#retryDelayMs : this.#pollIntervalMs);
    this.#timer.unref();
  }

  async #pass(): Promise<RelayPass> {
    const total: RelayPass = { published: 0, blocked: 0 };
    try {
      for (;;) {
        const rows = await this.#oldest();
        this.#pendingGauge?.set(rows.length);
        if (rows.length === 0) break;
        const { done, blocked } = await this.#publishAll(rows);
        if (done.length > 0) await this.#db.deleteFrom('outbox').where('id', 'in', done).execute();
        total.published += done.length;
        total.blocked = blocked;
        if (blocked > 0 || rows.length < this.#batchSize) break;
      }
    } catch (error) {
      // The database is down: the rows wait in it; the next pass tries again.
      this.#logger.warn({ err: error }, 'outbox relay could not read or clear the outbox; retrying');
      total.blocked = Math.max(total.blocked, 1);
    }
    if (this.#blocked && total.blocked === 0 && total.published > 0) {
      this.#logger.info(
        { published: total.published },
        'event bus back; waiting outbox events published in order',
      );
    }
    this.#blocked = total.blocked > 0;
    return total;
  }

  async #oldest(): Promise<Row[]> {
    const rows = await this.#db
      .selectFrom('outbox')
      .select(['id', 'channel', 'data'])
      .orderBy('id')
      .limit(this.#batchSize)
      .execute();
    // pg returns int8 as a string, PGlite as a number.
    return rows.map((row) => ({ ...row, id: String(row.id as unknown) }));
  }

  /** Each channel's rows one after another (order), channels side by side; ids the bus took or refused for good. */
  async #publishAll(rows: Row[]): Promise<{ done: string[]; blocked: number }> {
    const byChannel = new Map<string, Row[]>();
    for (const row of rows) {
      const list = byChannel.get(row.channel);
      if (list === undefined) byChannel.set(row.channel, [row]);
      else list.push(row);
    }
    const done: string[] = [];
    let blocked = 0;
    await Promise.all(
      [...byChannel.values()].map(async (channelRows) => {
        for (const row of channelRows) {
          if (!(await this.#publishOne(row))) {
            blocked += 1;
            return;
          }
          done.push(row.id);
        }
      }),
    );
    return { done, blocked };
  }

  /** True when the row is done with (published, or refused for good); false on an outage. */
  async #publishOne(row: Row): Promise<boolean> {
    try {
      await this.#bus.publish(row.channel, JSON.parse(row.data) as unknown, { sequence: row.id });
      this.#published?.inc();
      return true;
    } catch (error) {
      if (this.#isTransient(error)) {
        if (!this.#blocked) {
          this.#logger.warn(
            { err: error, channel: row.channel },
            'event bus unavailable; outbox events wait in the database, in order, until it is back',
          );
        }
        return false;
      }
      this.#logger.error(
        { err: error, channel: row.channel, sequence: row.id },
        'the event bus refused an outbox event; it is dropped (not an outage, so not retried)',
      );
      this.#dropped?.inc();
      return true;
    }
  }

  /** Events in the outbox, not yet taken by the bus. */
  async pending(): Promise<number> {
    const row = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async #checkWith(busCheck: DependencyCheck, signal: AbortSignal): Promise<CheckResult> {
    const result = await busCheck.check(signal);
    // The database's own check reports an outage; the count is only a detail here.
    const pending = await this.pending().catch(() => null);
    const details = { ...result.details, pendingEvents: pending };
    if (!this.#blocked || pending === 0) return { ...result, details };
    return {
      status: result.status === 'unhealthy' ? 'unhealthy' : 'degraded',
      error: result.error ?? `${pending ?? 'some'} change events wait in the outbox`,
      details,
    };
  }

  /** Stops polling and waits for a pass under way; what waits stays in the outbox for the next process. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }
}
