// Progress of a scan on the event bus and the /ws socket: one channel per scan, so a socket gets
// exactly the scans it watches. The same shapes as recordings' messages, keyed by `scanId`.
import type { EventBus } from '../../platform/events/event-bus.js';
import type { Scan } from './scan.js';

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

export async function publishScan(events: EventBus, scan: Scan): Promise<void> {
  await events.publish(scanChannel(scan.id), scanMessageOf(scan));
}
