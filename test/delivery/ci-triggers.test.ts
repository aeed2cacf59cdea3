// Seed 004's trigger rules, for both systems: pull requests into main run CI; a push to main whose
// changes are all documentation (docs/** and Markdown) runs no CI, so CD (which follows a
// completed CI run) deploys nothing. The filters are evaluated against changed-file lists the way
// each system does, and each rule is broken in memory to show the check catches it.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { azurePipelinesDir, readText, workflowDir } from './pipeline-files.js';

/** A glob as both systems read it: `**` any depth, `*` within one segment; a bare path a prefix. */
function globMatches(glob: string, file: string): boolean {
  const source = glob
    .split(/(\*\*\/?|\*)/)
    .map((part) =>
      part.startsWith('**')
        ? '(?:.*/)?' + (part === '**' ? '.*' : '')
        : part === '*'
          ? '[^/]*'
          : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`).test(file) || (!glob.includes('*') && file.startsWith(`${glob}/`));
}

interface GitHubOn {
  pull_request?: { branches?: string[] } | null;
  push?: { branches?: string[]; 'paths-ignore'?: string[]; paths?: string[] } | null;
}

/** Whether a push to `branch` changing `files` starts the GitHub workflow. */
function githubPushRuns(on: GitHubOn, branch: string, files: string[]): boolean {
  const push = on.push;
  if (push === undefined) return false;
  if (push?.branches && !push.branches.includes(branch)) return false;
  const ignore = push?.['paths-ignore'] ?? [];
  return files.some((file) => !ignore.some((glob) => globMatches(glob, file)));
}

interface AzureTrigger {
  branches?: { include?: string[] };
  paths?: { include?: string[]; exclude?: string[] };
}

/** Whether a push to `branch` changing `files` starts the Azure pipeline. */
function azurePushRuns(trigger: AzureTrigger | 'none' | undefined, branch: string, files: string[]): boolean {
  if (trigger === 'none') return false;
  if (trigger?.branches?.include && !trigger.branches.include.includes(branch)) return false;
  const include = trigger?.paths?.include;
  const exclude = trigger?.paths?.exclude ?? [];
  return files.some(
    (file) =>
      (!include || include.some((glob) => globMatches(glob, file))) &&
      !exclude.some((glob) => globMatches(glob, file)),
  );
}

const docsOnly = ['docs/operations.md', 'docs/adr/0001-layers.md', 'README.md', 'infrastructure/README.md'];
const withCode = ['README.md', 'src/roles/cli.ts'];

const githubCi = (text = readText(`${workflowDir}/ci.yml`)) => (parse(text) as { on: GitHubOn }).on;
const azureCi = (text = readText(`${azurePipelinesDir}/ci.yml`)) =>
  parse(text) as { trigger?: AzureTrigger | 'none'; pr?: { branches?: { include?: string[] } } };

const checks = {
  'GitHub: pull requests into main run CI': (on: GitHubOn) =>
    on.pull_request?.branches?.includes('main') === true,
  'GitHub: a documentation-only push to main runs no CI (so no deploy)': (on: GitHubOn) =>
    !githubPushRuns(on, 'main', docsOnly),
  'GitHub: a push to main with code runs CI': (on: GitHubOn) => githubPushRuns(on, 'main', withCode),
};

const azureChecks = {
  'Azure Pipelines: pull requests into main run CI': (ci: ReturnType<typeof azureCi>) =>
    ci.pr?.branches?.include?.includes('main') === true,
  'Azure Pipelines: a documentation-only push to main runs no CI (so no deploy)': (
    ci: ReturnType<typeof azureCi>,
  ) => !azurePushRuns(ci.trigger, 'main', docsOnly),
  'Azure Pipelines: a push to main with code runs CI': (ci: ReturnType<typeof azureCi>) =>
    azurePushRuns(ci.trigger, 'main', withCode),
};

describe('CI triggers (seed 004)', () => {
  it('the glob reader reads globs the way the systems do', () => {
    expect(globMatches('docs/**', 'docs/a/b.md')).toBe(true);
    expect(globMatches('**/*.md', 'README.md')).toBe(true);
    expect(globMatches('**/*.md', 'infrastructure/README.md')).toBe(true);
    expect(globMatches('**/*.md', 'src/readme.ts')).toBe(false);
    expect(globMatches('docs', 'docs/x.png')).toBe(true);
    expect(globMatches('docs', 'docsx/y')).toBe(false);
  });

  it.each(Object.entries(checks))('%s', (_, check) => {
    expect(check(githubCi())).toBe(true);
  });

  it.each(Object.entries(azureChecks))('%s', (_, check) => {
    expect(check(azureCi())).toBe(true);
  });

  it('CD runs only after CI (so the CI filters are the deploy filters)', () => {
    const cd = parse(readText(`${workflowDir}/cd.yml`)) as { on: Record<string, unknown> };
    expect(Object.keys(cd.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    const ado = parse(readText(`${azurePipelinesDir}/cd.yml`)) as { trigger: unknown; pr: unknown };
    expect([ado.trigger, ado.pr]).toEqual(['none', 'none']);
  });
});

describe('the trigger checks can fail', () => {
  const github = readText(`${workflowDir}/ci.yml`);
  const azure = readText(`${azurePipelinesDir}/ci.yml`);
  it.each([
    ['GitHub: a documentation-only push to main runs no CI (so no deploy)', /\n\s+paths-ignore:.*/, ''],
    ['GitHub: a documentation-only push to main runs no CI (so no deploy)', "'**/*.md'", "'*.md'"],
    [
      'GitHub: pull requests into main run CI',
      /pull_request:\n\s+branches: \[main\]/,
      'pull_request:\n    branches: [develop]',
    ],
  ] as const)('%s (mutated)', (name, from, to) => {
    const mutated = github.replace(from, to);
    expect(mutated).not.toBe(github);
    expect(checks[name](githubCi(mutated))).toBe(false);
  });
  it.each([
    [
      'Azure Pipelines: a documentation-only push to main runs no CI (so no deploy)',
      /\n\s+paths:\n\s+exclude:.*/,
      '',
    ],
    [
      'Azure Pipelines: pull requests into main run CI',
      /pr:\n\s+branches:\n\s+include: \[main\]/,
      'pr: none',
    ],
  ] as const)('%s (mutated)', (name, from, to) => {
    const mutated = azure.replace(from, to);
    expect(mutated).not.toBe(azure);
    expect(azureChecks[name](azureCi(mutated))).toBe(false);
  });
});
