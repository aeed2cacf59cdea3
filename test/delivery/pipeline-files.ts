// Reads the pipeline definitions of both systems for the offline delivery checks.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface WorkflowStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

export interface WorkflowJob {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  permissions?: Record<string, string> | string;
  steps: WorkflowStep[];
}

export interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, WorkflowJob>;
}

export const workflowDir = '.github/workflows';
export const azurePipelinesDir = 'infrastructure/azure-pipelines';

export const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name));

export const readText = (path: string): string => readFileSync(path, 'utf8');

/** Parses strictly: a duplicate key or a syntax error throws with the position. */
export const readYaml = (path: string): unknown =>
  parse(readText(path), { uniqueKeys: true, strict: true }) as unknown;

export const workflow = (name: string): Workflow => readYaml(join(workflowDir, name)) as Workflow;

export const needsOf = (job: WorkflowJob): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

export const environmentOf = (job: WorkflowJob): string | undefined =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;

/** Index of the first step whose name, id or command matches; -1 when none does. */
export function stepIndex(job: WorkflowJob, match: RegExp): number {
  return job.steps.findIndex((step) => match.test([step.id, step.name, step.run].filter(Boolean).join('\n')));
}
