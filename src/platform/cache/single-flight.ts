// One load per key per process at a time: concurrent misses on a hot key share one loader call.
// A delete during a load marks that load stale, so its (possibly pre-write) result is not stored.

interface Flight {
  promise: Promise<unknown>;
  stale: boolean;
}

export class SingleFlight {
  readonly #flights = new Map<string, Flight>();

  /**
   * Runs `work` unless work for `key` is already running, in which case the caller joins it.
   * `isStale()` turns true once the key is invalidated during the run; work must not store then.
   */
  run<T>(key: string, work: (isStale: () => boolean) => Promise<T>): Promise<T> {
    const existing = this.#flights.get(key);
    if (existing !== undefined) return existing.promise as Promise<T>;
    const flight: Flight = { promise: Promise.resolve(), stale: false };
    const promise = (async () => {
      try {
        return await work(() => flight.stale);
      } finally {
        this.#flights.delete(key);
      }
    })();
    flight.promise = promise;
    this.#flights.set(key, flight);
    return promise;
  }

  /** Marks in-flight loads for this key (or every key starting with prefix) as stale. */
  invalidate(key: string, prefix = false): void {
    if (!prefix) {
      const flight = this.#flights.get(key);
      if (flight !== undefined) flight.stale = true;
      return;
    }
    for (const [k, flight] of this.#flights) if (k.startsWith(key)) flight.stale = true;
  }

  get size(): number {
    return this.#flights.size;
  }
}
