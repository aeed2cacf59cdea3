// SIGTERM/SIGINT: runs the role's shutdown steps in order (serve.ts: readiness 503, the drain
// delay, streams told to reconnect, the listener closed, in-flight requests finished, ports
// closed) and exits 0; what is still running after SHUTDOWN_TIMEOUT_MS is cut. A second signal
// exits at once.
import type { Logger } from '../platform/telemetry/logger.js';

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

export function handleShutdownSignals(options: {
  logger: Logger;
  timeoutMs: number;
  steps: ShutdownStep[];
  /** Called when the timeout passes with steps still running: cut what is left. */
  onTimeout: () => void;
}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.warn('shutdown timeout reached: closing remaining connections');
      options.onTimeout();
      // Last resort: a step that still hangs (a dependency that never answers) must not keep a
      // stopped instance alive.
      setTimeout(() => {
        options.logger.error('shutdown did not finish: exiting');
        options.logger.flush(() => process.exit(1));
      }, 5000).unref();
    }, options.timeoutMs);
    timer.unref();

    void (async () => {
      let failed = false;
      for (const step of options.steps) {
        try {
          await step.run();
        } catch (error) {
          failed = true;
          options.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      options.logger.info('shutdown complete');
      options.logger.flush(() => process.exit(failed ? 1 : 0));
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
