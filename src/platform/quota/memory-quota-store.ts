// QuotaStore for a single process: counters in a Map, dropped once their window has passed.
import { windowBounds, type QuotaStore, type QuotaUsage } from './quota-store.js';

export function createMemoryQuotaStore(options: { now?: () => Date } = {}): QuotaStore {
  const now = options.now ?? (() => new Date());
  const counters = new Map<string, { used: number; resetAt: number }>();

  const prune = (): void => {
    const t = now().getTime();
    for (const [key, counter] of counters) if (counter.resetAt <= t) counters.delete(key);
  };

  const usage = (key: string, windowSeconds: number, at: Date | undefined): QuotaUsage & { slot: string } => {
    const bounds = windowBounds(at ?? now(), windowSeconds);
    const slot = `${key}\n${bounds.windowStart.getTime()}`;
    return { ...bounds, used: counters.get(slot)?.used ?? 0, slot };
  };

  return {
    add(key, amount, window) {
      prune();
      const { slot, ...current } = usage(key, window.windowSeconds, window.at);
      const used = current.used + amount;
      if (current.resetAt.getTime() > now().getTime())
        counters.set(slot, { used, resetAt: current.resetAt.getTime() });
      return Promise.resolve({ ...current, used });
    },
    get(key, window) {
      prune();
      const { slot: _slot, ...current } = usage(key, window.windowSeconds, window.at);
      return Promise.resolve(current);
    },
  };
}
