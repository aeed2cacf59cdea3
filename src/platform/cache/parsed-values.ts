// The last parsed value of recently read keys, reused while the backend returns the very same
// JSON: a hot key's entry (the popular list is ~6 KB) is parsed once, not on every hit. Only the
// parse is saved: every read still goes to the backend (popularity, TTLs and invalidation stay
// exact), and a different text there is parsed afresh. Values are frozen, since callers share them.

const capacity = 256;

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

export class ParsedValues {
  readonly #entries = new Map<string, { json: string; value: unknown }>();

  parse(key: string, json: string): unknown {
    const entry = this.#entries.get(key);
    // The memory driver hands back the same string object, so this compare is one pointer check.
    if (entry !== undefined && entry.json === json) return entry.value;
    const value = deepFreeze(JSON.parse(json) as unknown);
    this.#entries.delete(key);
    this.#entries.set(key, { json, value });
    if (this.#entries.size > capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return value;
  }
}
