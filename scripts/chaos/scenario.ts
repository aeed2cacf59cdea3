// What a chaos scenario is and what it reports: the figures it measured, printed and written into
// docs/reliability.md, and the checks it made. A check marked `timing` is a speed figure (fast
// failure, recovery time): the runner holds the scenario to it, the CI tests do not, since a
// shared CI machine's timings prove nothing (numbers live in reports and benchmarks).
import type { ChaosStack } from './chaos-stack.js';

export interface ScenarioOptions {
  /** How long the fault lasts. */
  faultMs: number;
  /** Steady load before the fault and after the recovery. */
  steadyMs: number;
  log: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  timing?: boolean;
}

export type Figure = number | string | Record<string, number>;

export interface ScenarioResult {
  name: string;
  /** The fault, in a few words, for the report's table. */
  fault: string;
  figures: Record<string, Figure>;
  checks: Check[];
}

export interface Scenario {
  name: string;
  fault: string;
  run(stack: ChaosStack, options: ScenarioOptions): Promise<ScenarioResult>;
}

export const check = (name: string, ok: boolean, detail: string, timing = false): Check => ({
  name,
  ok,
  detail,
  ...(timing ? { timing } : {}),
});
