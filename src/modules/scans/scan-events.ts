// Progress of a scan on the event bus and the /ws socket: one channel per scan, so a socket gets
// exactly the scans it watches. The same shapes as recordings' messages, keyed by `scanId`.
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { OutboxMessage } from '../../platform/outbox/outbox.js';
import type { Scan } from './scan.js';
import type { ScanChanges, ScansStore } from './scans-store.js';

export const scanChannel = (id: string): string => `scans:${id}`;

export interface ScanMessage {
  type: 'progress' | 'completed' | 'failed';
  scanId: string;
  status: Scan['status'];
  stage: Scan['stage'];
  version: number;
  /** Stages skipped, with the reason (`analysing: no provider configured`); on `completed`. */
  skipped?: string[];
  /** Risk level; on `completed`. */
  level?: string;
  /** `stage: reason`; on `failed`. */
  error?: string;
}

/** The message that states where `scan` is now (also what a new subscriber gets first). */
export function scanMessageOf(scan: Scan): ScanMessage {
  const base = { scanId: scan.id, status: scan.status, stage: scan.stage, version: scan.version };
  if (scan.status === 'completed')
    return {
      type: 'completed',
      ...base,
      skipped: Object.entries(scan.stages)
        .filter(([, s]) => s.state === 'skipped')
        .map(([name, s]) => `${name}: ${s.reason ?? 'skipped'}`),
      ...(scan.risk === null ? {} : { level: scan.risk.level }),
    };
  if (scan.status === 'failed') return { type: 'failed', ...base, error: scan.error ?? 'failed' };
  return { type: 'progress', ...base };
}

const announcement = (scan: Scan): OutboxMessage[] => [
  { channel: scanChannel(scan.id), data: scanMessageOf(scan) },
];

/**
 * Applies `changes` and announces the scan as it then is: in the update's transaction when the
 * store writes to the outbox, otherwise published right after. Undefined when the scan is gone.
 */
export async function updateAndAnnounce(
  deps: { store: ScansStore; events: EventPublisher },
  id: string,
  changes: ScanChanges,
): Promise<Scan | undefined> {
  if (deps.store.announces) return deps.store.update(id, changes, announcement);
  const next = await deps.store.update(id, changes);
  if (next !== undefined) await deps.events.publish(scanChannel(next.id), scanMessageOf(next));
  return next;
}
