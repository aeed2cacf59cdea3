// Every job of both pipeline systems in one shape: where it runs, what it waits for, the token
// subject it logs in to Azure with, and its steps as commands whose variable references read
// «NAME» (GitHub `${{ vars.NAME }}`, an env alias of one, or Azure Pipelines `$(NAME)`).
import { parse } from 'yaml';
import { expandTemplates } from './azure-pipelines-templates.js';
import { azurePipelinesDir, readText, workflowDir, yamlFiles } from './pipeline-files.js';

/** Placeholders the tfvars subjects use too: the GitHub repository, the Azure DevOps project. */
export const githubRepository = 'azimuth/azimuth';
export const azureDevOpsProject = 'azimuth/azimuth';

export type System = 'github' | 'azure-pipelines';

export interface PipelineStep {
  /** What the step runs or deploys, variables normalised to «NAME». */
  command: string;
  /** The action (GitHub) or task (Azure Pipelines) the step uses, if any. */
  uses?: string;
  /** The Azure service connection the task logs in with (Azure Pipelines). */
  connection?: string;
  /** The step's environment as written (after the workflow's and job's). */
  env: Record<string, string>;
}

export interface PipelineJob {
  system: System;
  file: string;
  /** `file#job` (GitHub) or `file#Stage/Job` (Azure Pipelines). */
  id: string;
  environment?: string;
  /** `group:<name>`, `pool:<name>`, `hosted:<image>` or `self-hosted:<labels>`. */
  runner: string;
  /** Ids of the jobs this one starts after (directly). */
  after: string[];
  /** Federated subjects of the tokens the job logs in to Azure with (none: no Azure login). */
  subjects: string[];
  steps: PipelineStep[];
}

/** Pipeline files by repository path; the mutation tests pass changed copies. */
export type PipelineSources = Record<string, string>;

export function readPipelineSources(): PipelineSources {
  const files = [...yamlFiles(workflowDir), ...yamlFiles(azurePipelinesDir)];
  return Object.fromEntries(files.map((file) => [file, readText(file)]));
}

export function pipelineJobs(sources: PipelineSources): PipelineJob[] {
  return Object.keys(sources).flatMap((file) => {
    if (file.startsWith(`${workflowDir}/`)) return workflowJobs(file, sources);
    const document = parse(sources[file] ?? '') as { stages?: unknown; parameters?: unknown } | null;
    // Templates (they declare parameters) are expanded into the pipelines that use them.
    return document?.stages && !document.parameters ? azurePipelineJobs(file, sources) : [];
  });
}

// --- normalising commands ------------------------------------------------------------------

/** `${{ vars.X }}`, `$(X)` and `$ALIAS` (an env entry holding one of those) all become «X». */
export function normalise(text: string, env: Record<string, string>): string {
  const variables = (value: string) =>
    value.replace(/\$\{\{\s*vars\.(\w+)\s*\}\}/g, '«$1»').replace(/\$\((\w+)\)/g, '«$1»');
  const aliases = Object.fromEntries(
    Object.entries(env)
      .map(([name, value]) => [name, variables(value)] as const)
      .filter(([, value]) => /^«\w+»$/.test(value)),
  );
  return variables(text)
    .replace(/\\\n\s*/g, ' ')
    .replace(/\$\{?(\w+)\}?/g, (whole, name: string) => aliases[name] ?? whole);
}

const record = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
  );

// --- GitHub Actions --------------------------------------------------------------------------

interface GitHubJob {
  'runs-on'?: unknown;
  environment?: string | { name: string };
  needs?: string | string[];
  if?: string;
  env?: Record<string, unknown>;
  steps?: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> }[];
}

function githubRunner(runsOn: unknown): string {
  if (typeof runsOn === 'string') return `hosted:${runsOn}`;
  if (Array.isArray(runsOn)) return `self-hosted:${runsOn.join(',')}`;
  const group = (runsOn as { group?: string } | undefined)?.group;
  return group ? `group:${group}` : `self-hosted:${JSON.stringify(runsOn)}`;
}

function workflowJobs(file: string, sources: PipelineSources): PipelineJob[] {
  const workflow = parse(sources[file] ?? '') as { env?: unknown; jobs: Record<string, GitHubJob> };
  const name = file.split('/').pop() ?? file;
  return Object.entries(workflow.jobs).map(([jobName, job]) => {
    const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
    const steps = (job.steps ?? []).map((step): PipelineStep => {
      const env = { ...record(workflow.env), ...record(job.env), ...record(step.env) };
      const inputs = Object.entries(step.with ?? {}).map(([k, v]) => `${k}=${String(v)}`);
      const text = step.run ?? `${step.uses ?? ''} ${inputs.join(' ')}`;
      return { command: normalise(text, env), uses: step.uses?.split('@')[0], env };
    });
    const logsIn = steps.some(
      (s) => s.uses === 'azure/login' || /\bterraform\b.*\b(init|plan|apply)\b/.test(s.command),
    );
    const subject = environment
      ? `repo:${githubRepository}:environment:${environment}`
      : /pull_request/.test(job.if ?? '')
        ? `repo:${githubRepository}:pull_request`
        : `repo:${githubRepository}:ref:refs/heads/main`;
    const needs = job.needs === undefined ? [] : [job.needs].flat();
    return {
      system: 'github',
      file,
      id: `${name}#${jobName}`,
      environment,
      runner: githubRunner(job['runs-on']),
      after: needs.map((need) => `${name}#${need}`),
      subjects: logsIn ? [subject] : [],
      steps,
    };
  });
}

// --- Azure Pipelines -----------------------------------------------------------------------

interface AzureJob {
  job?: string;
  deployment?: string;
  pool?: string | { vmImage?: string; name?: string };
  environment?: string;
  steps?: AzureStep[];
  strategy?: { runOnce?: { deploy?: { steps?: AzureStep[] } } };
}
interface AzureStep {
  task?: string;
  script?: string;
  inputs?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface AzureStage {
  stage: string;
  dependsOn?: string | string[];
  jobs: AzureJob[];
}

function azureRunner(pool: AzureJob['pool']): string {
  if (typeof pool === 'string') return `pool:${pool}`;
  if (pool?.name) return `pool:${pool.name}`;
  return `hosted:${pool?.vmImage ?? 'none'}`;
}

function azureStep(step: AzureStep): PipelineStep {
  const env = record(step.env);
  const inputs = step.inputs ?? {};
  const script = step.script ?? (typeof inputs.inlineScript === 'string' ? inputs.inlineScript : undefined);
  const text =
    script ??
    `${step.task ?? ''} ${Object.entries(inputs)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`;
  const connection = typeof inputs.azureSubscription === 'string' ? inputs.azureSubscription : undefined;
  return { command: normalise(text, env), uses: step.task, connection, env };
}

function azurePipelineJobs(file: string, sources: PipelineSources): PipelineJob[] {
  const read = (template: string) => {
    const text = sources[`${azurePipelinesDir}/${template}`];
    if (text === undefined) throw new Error(`${file}: template ${template} is missing`);
    return text;
  };
  const document = expandTemplates(parse(sources[file] ?? ''), read) as {
    pool?: AzureJob['pool'];
    stages: AzureStage[];
  };
  const name = file.split('/').pop() ?? file;
  const stageJobs = (stage: AzureStage) =>
    stage.jobs.map((job) => `${name}#${stage.stage}/${job.job ?? job.deployment}`);
  return document.stages.flatMap((stage, index) => {
    // A stage without dependsOn waits for the stage before it; `[]` for none.
    const previous = document.stages[index - 1];
    const dependsOn =
      stage.dependsOn === undefined ? (previous ? [previous.stage] : []) : [stage.dependsOn].flat();
    const after = dependsOn.flatMap((dependency) => {
      const found = document.stages.find((s) => s.stage === dependency);
      if (!found) throw new Error(`${file}: ${stage.stage} depends on a missing stage ${dependency}`);
      return stageJobs(found);
    });
    return stage.jobs.map((job): PipelineJob => {
      const steps = (job.steps ?? job.strategy?.runOnce?.deploy?.steps ?? []).map(azureStep);
      const connections = [...new Set(steps.flatMap((s) => (s.connection ? [s.connection] : [])))];
      return {
        system: 'azure-pipelines',
        file,
        id: `${name}#${stage.stage}/${job.job ?? job.deployment}`,
        environment: job.environment,
        runner: azureRunner(job.pool ?? document.pool),
        after,
        subjects: connections.map((connection) => `sc://${azureDevOpsProject}/${connection}`),
        steps,
      };
    });
  });
}

/** Every job `job` waits for, directly or through others. */
export function upstreamOf(jobs: PipelineJob[], job: PipelineJob): Set<string> {
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const dependency of jobs.find((j) => j.id === id)?.after ?? []) {
      if (!seen.has(dependency)) {
        seen.add(dependency);
        visit(dependency);
      }
    }
  };
  visit(job.id);
  return seen;
}
