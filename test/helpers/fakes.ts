// Small in-memory stand-ins for ports owned by other engineers (Cache, AuditLog), and a logger
// whose lines tests can read back.
import { Writable } from 'node:stream';
import type { AuditEntry, AuditLog, AuditLogReader } from '../../src/platform/audit/audit-log.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { createLogger, type Logger } from '../../src/platform/telemetry/logger.js';
import { collectLogLines } from './collected-logs.js';

/** A Map-backed Cache with TTLs read from `now` (real time unless given). */
export function createMapCache(
  options: { now?: () => number } = {},
): Cache & { entries: Map<string, unknown> } {
  const now = options.now ?? Date.now;
  const store = new Map<string, { value: unknown; expiresAt: number }>();
  const entries = new Map<string, unknown>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      store.delete(key);
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const cache: Cache & { entries: Map<string, unknown> } = {
    entries,
    get: <T>(key: string) => Promise.resolve(live(key)?.value as T | undefined),
    set(key, value, ttlSeconds = 300) {
      store.set(key, { value: structuredClone(value), expiresAt: now() + ttlSeconds * 1000 });
      entries.set(key, value);
      return Promise.resolve();
    },
    delete(key) {
      store.delete(key);
      entries.delete(key);
      return Promise.resolve();
    },
    deleteByPrefix(prefix) {
      for (const key of [...store.keys()]) if (key.startsWith(prefix)) store.delete(key);
      return Promise.resolve();
    },
    async getOrLoad<T>(key: string, loader: () => Promise<T>, ttlSeconds?: number): Promise<T> {
      const hit = live(key);
      if (hit !== undefined) return hit.value as T;
      const value = await loader();
      await cache.set(key, value, ttlSeconds);
      return value;
    },
  };
  return cache;
}

export function createArrayAuditLog(): AuditLog & AuditLogReader & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    record(entry) {
      entries.push(entry);
      return Promise.resolve();
    },
    latest: (limit) =>
      Promise.resolve(
        entries
          .map((entry, i) => ({ ...entry, id: String(i + 1) }))
          .reverse()
          .slice(0, limit),
      ),
  };
}

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger writing synchronously into `lines`. */
export function createCapturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      collectLogLines(chunk.toString('utf8'));
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}
