// Publishes change events so that a bus outage delays them instead of losing them. While the bus
// answers, each event goes out at once (concurrent publishes pipeline on the connection as before);
// once one fails, it and every later event wait in an in-process FIFO, retried with backoff from
// the head until the bus is back, so no event overtakes an earlier one and each goes out once.
//
// Not durable: the FIFO lives in this process. A crash (or a shutdown that outlasts its flush)
// with events waiting loses those announcements; the changes themselves are already stored.
import {
  ExponentialBackoff,
  handleWhen,
  retry,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { CheckResult, DependencyCheck } from '../health/dependency-check.js';
import type { Logger } from '../telemetry/logger.js';
import { counter, gauge } from '../telemetry/metric-factory.js';
import type { EventPublisher, ManagedEventBus } from './event-bus.js';

export interface RetryingPublisherOptions {
  /** Events kept while the bus fails; beyond this a new event is dropped, logged and counted. Default 10 000. */
  maxPending?: number;
  /**
   * Waits between attempts at the head event. Default: exponential with jitter from 50 ms up to
   * 250 ms: an attempt while the bus is down fails at once (no offline queue), so it costs little, and
   * /health turns healthy soon after the bus does.
   */
  backoff?: IBackoffFactory<IRetryBackoffContext<unknown>>;
  /** Longest `close()` keeps trying to publish what waits; default 5 s. */
  flushTimeoutMs?: number;
}

export interface RetryingPublisherDeps {
  /** The bus events go to; its check becomes this publisher's, degraded while events wait. */
  bus: Pick<ManagedEventBus, 'publish' | 'check'>;
  logger: Logger;
  /**
   * Whether a failure means the bus cannot answer now (worth waiting for). Any other failure
   * drops that event with an error log, since retrying it would block every later one.
   */
  isTransient: (error: unknown) => boolean;
  metrics?: Registry;
}

interface Waiting {
  /** Publication order; the FIFO stays sorted by it. */
  seq: number;
  channel: string;
  data: unknown;
}

type DropReason = 'overflow' | 'rejected' | 'shutdown';

export class RetryingPublisher implements EventPublisher {
  readonly check: DependencyCheck;
  readonly #bus: RetryingPublisherDeps['bus'];
  readonly #logger: Logger;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #maxPending: number;
  readonly #flushTimeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #waiting: Waiting[] = [];
  /** Direct attempts not yet settled, each resolving once its event is published or queued. */
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #dropped: Counter<'reason'> | undefined;
  readonly #pendingGauge: Gauge | undefined;
  #seq = 0;
  #draining: Promise<void> | undefined;
  /** Overflow drops in the current outage, logged loudly once and summed up when it ends. */
  #overflowed = 0;
  #closed = false;

  constructor(options: RetryingPublisherOptions, deps: RetryingPublisherDeps) {
    this.#bus = deps.bus;
    this.#logger = deps.logger;
    this.#isTransient = deps.isTransient;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#flushTimeoutMs = options.flushTimeoutMs ?? 5000;
    this.#policy = retry(handleWhen(deps.isTransient), {
      maxAttempts: Number.POSITIVE_INFINITY,
      backoff: options.backoff ?? new ExponentialBackoff({ initialDelay: 50, maxDelay: 250 }),
    });
    if (deps.metrics !== undefined) {
      this.#dropped = counter(deps.metrics, {
        name: 'azimuth_events_dropped_total',
        help: 'Change events never published: queue full, refused by the bus, or still waiting at shutdown',
        labelNames: ['reason'],
      });
      this.#pendingGauge = gauge(deps.metrics, {
        name: 'azimuth_events_pending',
        help: 'Change events waiting for the event bus to come back',
        labelNames: [],
      });
    }
    this.check = { ...deps.bus.check, check: (signal) => this.#checkWithPending(signal) };
  }

  /** Events waiting for the bus. */
  get pending(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves once the event is published, or waiting behind a bus failure; never rejects, so a
   * stored change is never reported as failed because its announcement has to wait.
   */
  async publish(channel: string, data: unknown): Promise<void> {
    const event: Waiting = { seq: (this.#seq += 1), channel, data };
    if (this.#closed) {
      this.#logger.warn({ channel }, 'change event published after shutdown began; dropped');
      this.#drop('shutdown');
      return;
    }
    if (this.#waiting.length > 0) {
      this.#enqueue(event);
      return;
    }
    const attempt = this.#attempt(event);
    this.#inFlight.add(attempt);
    try {
      await attempt;
    } finally {
      this.#inFlight.delete(attempt);
    }
  }

  async #attempt(event: Waiting): Promise<void> {
    try {
      await this.#bus.publish(event.channel, event.data);
    } catch (error) {
      if (!this.#isTransient(error)) {
        this.#reject(event, error);
        return;
      }
      if (this.#waiting.length === 0 && this.#draining === undefined) {
        this.#logger.warn(
          { err: error, channel: event.channel },
          'event bus unavailable; change events wait in order and are retried until it is back',
        );
      }
      this.#enqueue(event);
    }
  }

  /** Keeps the FIFO in publication order: a failed direct attempt may settle after a later event queued. */
  #enqueue(event: Waiting): void {
    if (this.#waiting.length >= this.#maxPending) {
      this.#overflowed += 1;
      if (this.#overflowed === 1) {
        this.#logger.error(
          { channel: event.channel, maxPending: this.#maxPending },
          'change events queue full while the event bus is down; newer events are dropped (clients see them on reload)',
        );
      }
      this.#drop('overflow');
      return;
    }
    let at = this.#waiting.length;
    while (at > 0 && (this.#waiting[at - 1] as Waiting).seq > event.seq) at -= 1;
    this.#waiting.splice(at, 0, event);
    this.#pendingGauge?.set(this.#waiting.length);
    this.#startDrain();
  }

  #startDrain(): void {
    if (this.#draining !== undefined) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // An event may have queued after the loop saw the FIFO empty, before this ran.
      if (this.#waiting.length > 0 && !this.#stopped()) this.#startDrain();
    });
  }

  /** Publishes the head until the FIFO is empty, each event once it succeeded, in order. */
  async #drain(): Promise<void> {
    const startedAt = Date.now();
    let published = 0;
    // Earlier events may still be in flight (ioredis resends those it had sent when the
    // connection dropped); they publish or queue ahead before the head is tried.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    while (this.#waiting.length > 0 && !this.#stopped()) {
      const head = this.#waiting[0] as Waiting;
      try {
        await this.#policy.execute(
          // cockatiel makes one more attempt after a backoff that close() cut short; not this one.
          ({ signal }) =>
            signal.aborted ? Promise.reject(new Error('closed')) : this.#bus.publish(head.channel, head.data),
          this.#stop.signal,
        );
        published += 1;
      } catch (error) {
        if (this.#stopped()) return;
        this.#reject(head, error);
      }
      // close() may have emptied the FIFO while this attempt ran.
      const at = this.#waiting.indexOf(head);
      if (at >= 0) this.#waiting.splice(at, 1);
      this.#pendingGauge?.set(this.#waiting.length);
    }
    if (this.#stopped()) return;
    this.#logger.info(
      { published, dropped: this.#overflowed, waitedMs: Date.now() - startedAt },
      'event bus back; waiting change events published in order',
    );
    this.#overflowed = 0;
  }

  /** Whether close() gave up on what waits (a method, so each read is fresh after an await). */
  #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  #reject(event: Waiting, error: unknown): void {
    this.#logger.error(
      { err: error, channel: event.channel },
      'the event bus refused a change event; it is dropped (not an outage, so not retried)',
    );
    this.#drop('rejected');
  }

  #drop(reason: DropReason): void {
    this.#dropped?.inc({ reason });
  }

  async #checkWithPending(signal: AbortSignal): Promise<CheckResult> {
    const result = await this.#bus.check.check(signal);
    const pending = this.#waiting.length;
    const details = { ...result.details, pendingEvents: pending };
    if (pending === 0) return { ...result, details };
    return {
      status: result.status === 'unhealthy' ? 'unhealthy' : 'degraded',
      error: result.error ?? `${pending} change events wait to be published`,
      details,
    };
  }

  /**
   * Keeps trying what waits for up to `flushTimeoutMs` (before the bus it uses is closed), then
   * gives up on the rest with one error line saying how many announcements are lost.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    if (this.#draining !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#flushTimeoutMs);
      });
      await Promise.race([this.#draining, deadline]);
      clearTimeout(timer);
    }
    this.#stop.abort();
    const lost = this.#waiting.splice(0);
    this.#pendingGauge?.set(0);
    if (lost.length === 0) return;
    this.#dropped?.inc({ reason: 'shutdown' }, lost.length);
    this.#logger.error(
      { lost: lost.length, channels: [...new Set(lost.map((e) => e.channel))] },
      'shutting down with change events unpublished (the event bus is still down); the changes are stored, their announcements are lost',
    );
  }
}
