// The recording job as the queue carries it: its name and payload. The service enqueues it and the
// worker runs it; neither needs the other to know what a job looks like.

export const RECORDING_JOB = 'recordings-process';

export interface RecordingJobPayload {
  recordingId: string;
  /** Tries the queue makes; the last failing one marks the recording failed. */
  attempts: number;
}
