// What the recordings module needs beyond the shared ports, for the test-app builder: the module
// over the shared database and /ws socket, and the worker in this process.
import type { AppModule } from '../../src/http/app-types.js';
import {
  recordingsModule,
  registerRecordingsWorker,
  type PipelinePoint,
  type RecordingsWorker,
} from '../../src/modules/recordings/recordings-module.js';
import type { PlatformDb } from '../../src/platform/db/platform-tables.js';
import { createNoneLlmProvider, type LlmProvider } from '../../src/platform/llm/index.js';
import type { ModulePorts } from './module-ports.js';

export interface RecordingsTestOptions {
  llm?: LlmProvider;
  /** Default true: the worker runs in this process. */
  worker?: boolean;
  faults?: (point: PipelinePoint, recordingId: string) => void | Promise<void>;
  chunkBytes?: number;
  now?: () => Date;
}

export interface RecordingsParts {
  db: PlatformDb;
  /** RECORDINGS_CONTAINER. */
  container: string;
  worker: RecordingsWorker | undefined;
}

export function openRecordings(ports: ModulePorts, options: RecordingsTestOptions) {
  const now = options.now === undefined ? {} : { now: options.now };
  const shared = { db: ports.db, blobs: ports.bundle.store, jobs: ports.jobs, logger: ports.logger };
  const module: AppModule = recordingsModule({
    ...shared,
    settings: ports.settings,
    progress: ports.progress,
    ...now,
  });
  return {
    module,
    parts: { db: ports.db, container: ports.settings.RECORDINGS_CONTAINER },
    startWorker: async (): Promise<RecordingsWorker | undefined> =>
      options.worker === false
        ? undefined
        : registerRecordingsWorker({
            ...shared,
            events: ports.events,
            llm: options.llm ?? createNoneLlmProvider(),
            health: ports.health,
            settings: ports.settings,
            ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
            ...(options.faults === undefined ? {} : { faults: options.faults }),
            ...now,
          }),
  };
}
