// The recordings module (seed 002): what the composition root wires.
export { recordingsMigrations } from './recordings-migrations.js';
export {
  recordingsModule,
  type RecordingsModuleDeps,
  type RecordingsModuleSettings,
} from './recordings-module.js';
export {
  registerRecordingsWorker,
  type RecordingsWorker,
  type RecordingsWorkerDeps,
  type RecordingsWorkerSettings,
} from './recordings-worker.js';
export type { RecordingsTables } from './recordings-store.js';
export type { PipelinePoint } from './recording-pipeline.js';
export type { RecordingMessage } from './recording-events.js';
