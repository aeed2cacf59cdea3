// A server the chaos run starts as a child process on a fixed port, and stops and starts again
// there: how the run's own Redis and Azurite are broken and brought back.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitForPort } from '../../test/helpers/ports.js';

export interface ChildServer {
  start: () => Promise<void>;
  /** Stops it with `signal` and waits for it to exit; nothing when it is not running. */
  stop: () => Promise<void>;
}

export function childServer(options: {
  command: string;
  args: string[];
  port: number;
  what: string;
  stopSignal: NodeJS.Signals;
}): ChildServer {
  let child: ChildProcess | undefined;
  return {
    async start() {
      child = spawn(options.command, options.args, { stdio: 'ignore' });
      await waitForPort(options.port, options.what);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill(options.stopSignal);
      await exited;
    },
  };
}
