// One policy per external dependency: per-attempt timeout, inside a circuit breaker, inside
// retries with exponential backoff and full jitter. Built on cockatiel; only transient failures
// are retried and only they count towards the breaker, so a 404 never opens a circuit.
import {
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  BrokenCircuitError,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { backoffDelayMs } from './backoff-delay.js';
import { BreakerOpenError } from './breaker-open-error.js';
import { isRetryable as defaultIsRetryable, retryAfterMs } from './failure-classification.js';
import { OperationTimeoutError } from './operation-timeout-error.js';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). */
  maxRetries: number;
  /** Ceiling of the first retry's delay; doubles each retry. */
  baseDelayMs: number;
  /** Largest delay, also the most a Retry-After header can make us wait. */
  maxDelayMs: number;
}

export interface BreakerOptions {
  /** Consecutive transient failures that open the circuit. */
  threshold: number;
  /** How long an open circuit fails fast before it lets one probe through. */
  halfOpenAfterMs: number;
}

export interface PolicyOptions {
  /** The dependency, e.g. `storage`, `llm`; labels metrics, health and errors. */
  name: string;
  /** Longest one attempt may take. */
  timeoutMs: number;
  retry: RetryOptions;
  breaker: BreakerOptions;
  /** Decides retryability first; return undefined to fall back to the default classification. */
  classify?: (error: unknown) => boolean | undefined;
  /** Jitter source in [0, 1); defaults to Math.random. */
  random?: () => number;
  /** Clock for the breaker's remaining open time; Date.now by default, which vi fake timers drive. */
  now?: () => number;
}

export interface RetryEvent {
  policy: string;
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface Subscription {
  dispose(): void;
}

export interface ExecuteOptions {
  /** False runs one attempt only: for bodies that cannot be replayed and for health probes. */
  retry?: boolean;
  /**
   * False drops the per-attempt timeout: for streaming uploads, whose duration depends on the
   * client's speed, not on the dependency's health.
   */
  timeout?: boolean;
}

export interface ResiliencePolicy {
  readonly name: string;
  readonly state: BreakerState;
  /** Milliseconds until an open breaker lets a probe through; 0 when it is not open. */
  openRemainingMs(): number;
  /**
   * Runs `fn` with timeout, breaker and retries. `fn` gets a signal that aborts on timeout or when
   * the caller's `signal` aborts. While the circuit is open it throws BreakerOpenError at once.
   */
  execute<T>(
    fn: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    options?: ExecuteOptions,
  ): Promise<T>;
  /** Like execute, without retries: for health probes that must answer quickly. */
  executeOnce<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** This policy's view of whether an error is transient. */
  isRetryable(error: unknown): boolean;
  onStateChange(listener: (state: BreakerState) => void): Subscription;
  onRetry(listener: (event: RetryEvent) => void): Subscription;
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The cockatiel pieces one policy is built from, shared by the functions below. */
interface PolicyParts {
  options: PolicyOptions;
  now: () => number;
  classify: (error: unknown) => boolean;
  breaker: CircuitBreakerPolicy;
  retries: RetryPolicy;
  retryListeners: Set<(event: RetryEvent) => void>;
  perAttempt: TimeoutPolicy;
  openedAt: { ms: number };
}

function createParts(options: PolicyOptions): PolicyParts {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const classify = (error: unknown): boolean => options.classify?.(error) ?? defaultIsRetryable(error);

  const breaker: CircuitBreakerPolicy = circuitBreaker(handleWhen(classify), {
    halfOpenAfter: options.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breaker.threshold),
  });
  const openedAt = { ms: 0 };
  breaker.onBreak(() => {
    openedAt.ms = now();
  });

  const retryListeners = new Set<(event: RetryEvent) => void>();
  const retries = retry(handleWhen(classify), {
    maxAttempts: options.retry.maxRetries,
    backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) =>
      backoffDelayMs({
        attempt: context.attempt,
        baseDelayMs: options.retry.baseDelayMs,
        maxDelayMs: options.retry.maxDelayMs,
        random,
        retryAfterMs: 'error' in context.result ? retryAfterMs(context.result.error, now()) : undefined,
      }),
    ),
  });
  retries.onRetry((event) => {
    const error = 'error' in event ? event.error : undefined;
    for (const listener of retryListeners)
      listener({ policy: options.name, attempt: event.attempt, delayMs: event.delay, error });
  });

  // abortOnReturn: false, because a returned stream (a download body) must outlive the attempt.
  const perAttempt = timeout(options.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  return { options, now, classify, breaker, retries, retryListeners, perAttempt, openedAt };
}

const openRemainingMs = (parts: PolicyParts): number =>
  parts.breaker.state === CircuitState.Open
    ? Math.max(0, parts.options.breaker.halfOpenAfterMs - (parts.now() - parts.openedAt.ms))
    : 0;

/** One attempt: inside the breaker, with the per-attempt timeout unless the caller turned it off. */
function attempt<T>(
  parts: PolicyParts,
  fn: (signal: AbortSignal) => Promise<T>,
  outer: AbortSignal | undefined,
  withTimeout: boolean,
): Promise<T> {
  const { options, perAttempt } = parts;
  return parts.breaker.execute(async ({ signal: breakerSignal }) => {
    if (!withTimeout) return fn(breakerSignal);
    try {
      return await perAttempt.execute(({ signal }) => fn(signal), breakerSignal);
    } catch (error) {
      // A cancelled attempt is a timeout unless the caller gave up; only the former is transient.
      if (error instanceof TaskCancelledError && outer?.aborted !== true)
        throw new OperationTimeoutError({ dependency: options.name, timeoutMs: options.timeoutMs });
      throw error;
    }
  }, outer);
}

/** cockatiel's open-circuit errors become our BreakerOpenError, with the time left. */
function translate(parts: PolicyParts, error: unknown): never {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError)
    throw new BreakerOpenError({
      dependency: parts.options.name,
      retryAfterMs: openRemainingMs(parts),
      cause: error,
    });
  throw error;
}

export function createPolicy(options: PolicyOptions): ResiliencePolicy {
  const parts = createParts(options);
  return {
    name: options.name,
    get state() {
      return stateNames[parts.breaker.state];
    },
    openRemainingMs: () => openRemainingMs(parts),
    async execute(fn, signal, executeOptions = {}) {
      const withTimeout = executeOptions.timeout !== false;
      try {
        return executeOptions.retry === false
          ? await attempt(parts, fn, signal, withTimeout)
          : await parts.retries.execute(() => attempt(parts, fn, signal, withTimeout), signal);
      } catch (error) {
        return translate(parts, error);
      }
    },
    async executeOnce(fn, signal) {
      try {
        return await attempt(parts, fn, signal, true);
      } catch (error) {
        return translate(parts, error);
      }
    },
    isRetryable: parts.classify,
    onStateChange(listener) {
      return parts.breaker.onStateChange((state) => listener(stateNames[state]));
    },
    onRetry(listener) {
      parts.retryListeners.add(listener);
      return { dispose: () => parts.retryListeners.delete(listener) };
    },
  };
}
