// Progress of a recording as it travels on the event bus and over WebSockets. One bus channel per
// recording: a socket subscribes to exactly the recordings it watches, so no instance receives
// (and filters) every recording's traffic, and each channel's short replay log is that recording's.
import type { EventPublisher } from '../../platform/events/event-bus.js';
import type { OutboxMessage } from '../../platform/outbox/outbox.js';
import type { Recording, RecordingStatus, StageName } from './recording.js';
import type { RecordingChanges, RecordingsStore } from './recordings-store.js';

export const recordingChannel = (id: string): string => `recordings:${id}`;

export interface ProgressMessage {
  type: 'progress';
  recordingId: string;
  status: RecordingStatus;
  stage: StageName;
  /** Percentage of the current stage. */
  percent: number;
  version: number;
}

export interface CompletedMessage {
  type: 'completed';
  recordingId: string;
  status: 'completed';
  stage: 'complete';
  percent: 100;
  version: number;
  durationSeconds: number | null;
  /** Stages skipped, with the reason (e.g. `transcribe: no provider configured`). */
  skipped: string[];
}

export interface FailedMessage {
  type: 'failed';
  recordingId: string;
  status: 'failed';
  stage: StageName;
  percent: number;
  version: number;
  error: string;
}

export type RecordingMessage = ProgressMessage | CompletedMessage | FailedMessage;

/** The message that states where `recording` is now (also what a new subscriber gets first). */
export function messageOf(recording: Recording): RecordingMessage {
  const base = { recordingId: recording.id, version: recording.version };
  if (recording.status === 'completed')
    return {
      type: 'completed',
      ...base,
      status: 'completed',
      stage: 'complete',
      percent: 100,
      durationSeconds: recording.durationSeconds,
      skipped: Object.entries(recording.stages)
        .filter(([, s]) => s.state === 'skipped')
        .map(([name, s]) => `${name}: ${s.reason ?? 'skipped'}`),
    };
  if (recording.status === 'failed')
    return {
      type: 'failed',
      ...base,
      status: 'failed',
      stage: recording.stage,
      percent: recording.percent,
      error: recording.error ?? 'failed',
    };
  return {
    type: 'progress',
    ...base,
    status: recording.status,
    stage: recording.stage,
    percent: recording.percent,
  };
}

const announcement = (recording: Recording): OutboxMessage[] => [
  { channel: recordingChannel(recording.id), data: messageOf(recording) },
];

/**
 * Applies `changes` and announces the recording as it then is: in the update's transaction when
 * the store writes to the outbox (a crash cannot lose the event of a committed change), otherwise
 * published right after. Undefined when the recording is gone.
 */
export async function updateAndAnnounce(
  deps: { store: RecordingsStore; events: EventPublisher },
  id: string,
  changes: RecordingChanges,
): Promise<Recording | undefined> {
  if (deps.store.announces) return deps.store.update(id, changes, announcement);
  const next = await deps.store.update(id, changes);
  if (next !== undefined) await deps.events.publish(recordingChannel(next.id), messageOf(next));
  return next;
}
