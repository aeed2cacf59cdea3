// The process's place in its life: starting, ready, or draining. Readiness reads it; graceful
// shutdown moves it to draining and runs what long-lived streams registered to close themselves.

export type LifecycleState = 'starting' | 'ready' | 'draining';

export interface Lifecycle {
  readonly state: LifecycleState;
  markReady(): void;
  /** Moves to draining (readiness 503, Connection: close) without ending streams yet. */
  markDraining(): void;
  /** Moves to draining (once) and runs every drain callback; resolves when they have settled. */
  drain(): Promise<void>;
  /** Registers a callback run on drain; returns a function that removes it. */
  onDrain(callback: () => void | Promise<void>): () => void;
}

export function createLifecycle(): Lifecycle {
  let state: LifecycleState = 'starting';
  const callbacks = new Set<() => void | Promise<void>>();
  let draining: Promise<void> | undefined;

  return {
    get state() {
      return state;
    },
    markReady() {
      if (state === 'starting') state = 'ready';
    },
    markDraining() {
      state = 'draining';
    },
    drain() {
      state = 'draining';
      draining ??= Promise.allSettled([...callbacks].map(async (callback) => callback())).then(
        () => undefined,
      );
      return draining;
    },
    onDrain(callback) {
      callbacks.add(callback);
      return () => callbacks.delete(callback);
    },
  };
}
