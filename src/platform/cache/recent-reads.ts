// Read counts of recently read keys, bounded: two generations of at most `capacity` keys each, so
// the oldest half is dropped in one step. (An LRU Map that deletes its first key on every insert
// walks the tombstones left by earlier deletes: microseconds per read once it is full.)

export class RecentReads {
  readonly #capacity: number;
  #current = new Map<string, number>();
  #previous = new Map<string, number>();

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  remember(key: string, reads: number): void {
    this.#current.set(key, reads);
    if (this.#current.size >= this.#capacity) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
  }

  /** The count last remembered for the key, or undefined once it has aged out. */
  get(key: string): number | undefined {
    return this.#current.get(key) ?? this.#previous.get(key);
  }
}
