import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import {
  azurePipelinesDir,
  environmentOf,
  needsOf,
  readText,
  readYaml,
  stepIndex,
  workflow,
  workflowDir,
  yamlFiles,
  type WorkflowJob,
} from './pipeline-files.js';

const workflowFiles = yamlFiles(workflowDir);
const adoFiles = yamlFiles(azurePipelinesDir);

/** The job names, dependencies first (throws on a cycle or a missing job). */
function jobOrder(jobs: Record<string, WorkflowJob>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`needs cycle: ${[...path, name].join(' → ')}`);
    const job = jobs[name];
    if (!job) throw new Error(`needs names a missing job: ${name}`);
    for (const need of needsOf(job)) visit(need, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(jobs)) visit(name, []);
  return order;
}

describe('GitHub Actions workflows', () => {
  it('exist for CI, CD and infrastructure', () => {
    expect(workflowFiles.map((f) => f.split('/').pop())).toEqual(['cd.yml', 'ci.yml', 'infrastructure.yml']);
  });

  it.each(workflowFiles)('%s validates against the workflow schema', (file) => {
    expect(validateWorkflow(readText(file)).errors).toEqual([]);
  });

  it('the schema check can fail: a misspelt key is reported', () => {
    const broken = readText(`${workflowDir}/ci.yml`).replace('runs-on:', 'runs-onn:');
    expect(validateWorkflow(broken).errors).not.toEqual([]);
  });

  it.each(workflowFiles)('%s pins every third-party action to a full commit SHA', (file) => {
    const uses = [...readText(file).matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)/gm)].map((m) => m[1] ?? '');
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses.filter((u) => !u.startsWith('./'))) {
      expect(action, `${file}: ${action}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
  });

  it.each(workflowFiles)('%s grants least permissions: nothing by default beyond reading', (file) => {
    const { permissions, jobs } = workflow(file.split('/').pop() ?? '');
    expect(permissions === undefined ? 'missing' : permissions).not.toBe('missing');
    const grants = (p: WorkflowJob['permissions']) => (typeof p === 'object' ? Object.entries(p) : []);
    expect(grants(permissions).filter(([, level]) => level === 'write')).toEqual([]);
    for (const [name, job] of Object.entries(jobs)) {
      expect(typeof job.permissions, `${file}: ${name} says write-all`).not.toBe('string');
      for (const [scope, level] of grants(job.permissions)) {
        if (level === 'write') expect(`${name}: ${scope}`).toMatch(/: id-token$/);
      }
    }
  });

  it.each(workflowFiles)('%s logs in to Azure by OIDC only', (file) => {
    const text = readText(file);
    expect(text).not.toMatch(/client-secret|AZURE_CREDENTIALS|ARM_CLIENT_SECRET|creds:/i);
    const { jobs } = workflow(file.split('/').pop() ?? '');
    for (const [name, job] of Object.entries(jobs)) {
      const usesAzure =
        job.steps.some((s) => s.uses?.startsWith('azure/login@')) ||
        job.steps.some((s) => /terraform\S* (plan|apply|init)/.test(s.run ?? ''));
      if (!usesAzure) continue;
      expect(job.permissions, `${file}: ${name}`).toMatchObject({ 'id-token': 'write' });
      for (const login of job.steps.filter((s) => s.uses?.startsWith('azure/login@'))) {
        expect(Object.keys(login.with ?? {}).sort()).toEqual(['client-id', 'subscription-id', 'tenant-id']);
      }
    }
  });
});

describe('CI', () => {
  const { on, jobs } = workflow('ci.yml');
  const steps = Object.values(jobs).flatMap((job) => job.steps);
  const commands = steps.map((s) => s.run ?? '').join('\n');

  it('runs on pull requests and pushes, with PostgreSQL and Redis service containers', () => {
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    const services = Object.values(jobs).flatMap((job) =>
      Object.values((job as { services?: Record<string, { image: string }> }).services ?? {}),
    );
    expect(services.map((s) => s.image.split(':')[0])).toEqual(['postgres', 'redis']);
  });

  it('installs, lints, typechecks, audits, runs the offline and full tests, then packages once', () => {
    const order = [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm audit --audit-level=high',
      'npm run test:offline',
      'npm run test:ci',
      'npm run package',
    ].map((command) => commands.indexOf(command));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(commands.match(/npm run package/g)).toHaveLength(1);
  });

  it('publishes JUnit results and coverage, and uploads the package as the artifact', () => {
    expect(packageJson.scripts['test:ci']).toMatch(/--coverage/);
    expect(packageJson.scripts['test:ci']).toMatch(
      /--reporter=junit --outputFile\.junit=reports\/junit\.xml/,
    );
    const uploads = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s) => s.with?.path)).toEqual([
      expect.stringContaining('reports/junit.xml'),
      'artifacts/azimuth.zip',
    ]);
  });
});

describe('CD (GitHub Actions)', () => {
  const { on, jobs } = workflow('cd.yml');
  const order = jobOrder(jobs);
  const production = jobs.production ?? { steps: [] };

  it('deploys what CI built on main, or a chosen CI run by hand', () => {
    expect(on).toMatchObject({ workflow_run: { workflows: ['CI'], branches: ['main'] } });
    expect(Object.keys(on)).toContain('workflow_dispatch');
    const downloads = Object.values(jobs).flatMap((job) =>
      job.steps.filter((s) => s.uses?.startsWith('actions/download-artifact@')),
    );
    expect(downloads.length).toBeGreaterThan(0);
    for (const download of downloads) expect(download.with).toMatchObject({ name: 'azimuth-package' });
  });

  it('migrates, deploys to the staging slot and smoke-tests it before production swaps it in', () => {
    expect(order.indexOf('migrate')).toBeLessThan(order.indexOf('deploy-staging'));
    expect(order.indexOf('deploy-staging')).toBeLessThan(order.indexOf('smoke-staging'));
    expect(order.indexOf('smoke-staging')).toBeLessThan(order.indexOf('production'));
    expect(jobs.migrate?.steps.some((s) => /node dist\/roles\/cli\.js migrate/.test(s.run ?? ''))).toBe(true);
    expect(
      jobs['deploy-staging']?.steps.some((s) => /az webapp deploy .*--slot staging/s.test(s.run ?? '')),
    ).toBe(true);
    expect(
      stepIndex(jobs['smoke-staging'] ?? { steps: [] }, /npm run smoke -- --url .*-staging/),
    ).toBeGreaterThan(-1);
  });

  it('swaps only after smoke-testing staging, then smoke-tests production, and swaps back on failure', () => {
    const smokeStaging = stepIndex(production, /npm run smoke -- --url .*-staging/);
    const swap = stepIndex(production, /^swap$/m);
    const smokeProduction = stepIndex(
      production,
      /npm run smoke -- --url "https:\/\/\$\{\{ vars\.APP_NAME \}\}\.azure/,
    );
    const rollback = stepIndex(production, /Roll back/);
    // Production's own database is migrated last thing before the swap (the slot had its own).
    const migrate = stepIndex(production, /cli\.js migrate\b/);
    expect([smokeStaging, migrate, swap, smokeProduction, rollback].every((i) => i >= 0)).toBe(true);
    expect(smokeStaging).toBeLessThan(migrate);
    expect(migrate).toBeLessThan(swap);
    expect(swap).toBeLessThan(smokeProduction);
    expect(smokeProduction).toBeLessThan(rollback);
    const back = production.steps[rollback];
    expect(back?.if).toMatch(/failure\(\) && steps\.swap\.outcome == 'success'/);
    expect(back?.run).toMatch(/slot swap .*--slot staging --target-slot production/s);
  });

  it('watches production for 15 minutes after the smoke test, from the swap time, before the worker and console', () => {
    const swap = production.steps[stepIndex(production, /^swap$/m)];
    expect(swap?.run).toMatch(/swapped-at=.*>> "\$GITHUB_OUTPUT"/);
    const smokeProduction = stepIndex(production, /Smoke-test production/);
    const watch = stepIndex(production, /npm run swap-watch/);
    const worker = stepIndex(production, /Deploy the worker/);
    expect(smokeProduction).toBeGreaterThan(-1);
    expect(watch).toBe(smokeProduction + 1);
    expect(worker).toBeGreaterThan(watch);
    expect(production.steps[watch]?.run).toContain('--since "${{ steps.swap.outputs.swapped-at }}"');
    expect(production.steps[watch]?.run).toContain('--name "${{ vars.APP_NAME }}"');
    // A failing watch fails the job, and the Roll back step runs on failure after the swap.
    expect(production.steps.at(-1)?.if).toMatch(/failure\(\)/);
  });

  it('keeps one concurrency group per environment and production behind its environment', () => {
    for (const name of ['migrate', 'deploy-staging', 'production']) {
      const job = jobs[name];
      expect(job?.concurrency, name).toEqual({
        group: `cd-${environmentOf(job ?? { steps: [] })}`,
        'cancel-in-progress': false,
      });
    }
    expect(environmentOf(production)).toBe('production');
    // The slot stage acts on production's app, slot and vault: its own environment, federated
    // with production's slot identity (identity-model.test.ts follows every job to its roles).
    expect(environmentOf(jobs.migrate ?? { steps: [] })).toBe('production-slot');
  });

  it('migrates from the private runner group inside the VNet (the database is private)', () => {
    expect((jobs.migrate as unknown as { 'runs-on': unknown })['runs-on']).toEqual({
      group: 'azimuth-private-prod',
    });
  });

  it('deploys the console to Static Web Apps after the swap, with a token read at deploy time', () => {
    const build = stepIndex(production, /npm run build:web/);
    const token = stepIndex(production, /az staticwebapp secrets list/);
    const deploy = production.steps.findIndex((s) => s.uses?.startsWith('Azure/static-web-apps-deploy@'));
    const swap = stepIndex(production, /^swap$/m);
    expect([build, token, deploy].every((i) => i > swap)).toBe(true);
    expect(build).toBeLessThan(deploy);
    expect(token).toBeLessThan(deploy);
    expect(production.steps[build]).toMatchObject({
      env: { VITE_API_ORIGIN: '${{ vars.SERVICE_API_URI }}' },
    });
    expect(production.steps[deploy]?.with).toMatchObject({
      action: 'upload',
      app_location: 'web/dist',
      skip_app_build: true,
      azure_static_web_apps_api_token: '${{ env.CONSOLE_DEPLOYMENT_TOKEN }}',
    });
    expect(readText(`${workflowDir}/cd.yml`)).not.toMatch(/secrets\./);
  });
});

describe('Infrastructure (GitHub Actions)', () => {
  const { on, jobs } = workflow('infrastructure.yml');
  const run = (job: string) => jobs[job]?.steps.map((s) => s.run ?? '').join('\n') ?? '';

  it('plans on pull requests into the run summary and applies on main behind an environment', () => {
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect(jobs.plan?.if).toMatch(/pull_request/);
    expect(run('plan')).toMatch(/terraform -chdir=infrastructure\/terraform plan/);
    expect(run('plan')).toMatch(/GITHUB_STEP_SUMMARY/);
    for (const [job, environment] of [
      ['apply-staging', 'infrastructure-staging'],
      ['apply-production', 'infrastructure-production'],
    ] as const) {
      expect(run(job)).toMatch(/terraform -chdir=infrastructure\/terraform apply .*tfplan/);
      expect(environmentOf(jobs[job] ?? { steps: [] })).toBe(environment);
    }
  });

  it('keeps state remote (Azure Storage through OIDC) and runs the offline checks first', () => {
    for (const job of ['plan', 'apply-staging', 'apply-production']) {
      expect(run(job)).toMatch(/init[\s\S]*-backend-config="use_oidc=true"/);
    }
    for (const job of ['plan', 'apply-staging'])
      expect(needsOf(jobs[job] ?? { steps: [] })).toContain('checks');
    expect(run('checks')).toContain('npm run test:offline');
  });
});

describe('Azure Pipelines', () => {
  type Stage = { stage: string; dependsOn?: string; jobs: { strategy?: unknown; steps?: unknown[] }[] };

  it.each(adoFiles)('%s parses as YAML', (file) => {
    expect(() => readYaml(file)).not.toThrow();
  });

  it('has the same files as GitHub Actions', () => {
    const names = adoFiles.map((f) => f.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['ci.yml', 'cd.yml', 'infrastructure.yml']));
  });

  it('CD: migrate → deploy to the staging slot → smoke → production (swap, smoke, roll back on failure)', () => {
    const { stages } = readYaml(`${azurePipelinesDir}/cd.yml`) as { stages: Stage[] };
    expect(stages.map((s) => [s.stage, s.dependsOn])).toEqual([
      ['Migrate', undefined],
      ['DeployStaging', 'Migrate'],
      ['SmokeStaging', 'DeployStaging'],
      ['Production', 'SmokeStaging'],
    ]);
    const text = JSON.stringify(stages.at(-1));
    const at = (s: string) => text.indexOf(s);
    expect(at('-staging.azurewebsites.net')).toBeGreaterThan(-1);
    expect(at('-staging.azurewebsites.net')).toBeLessThan(at('"name":"Swap"'));
    expect(at('"name":"Swap"')).toBeLessThan(at('Smoke-test production'));
    expect(at('Smoke-test production')).toBeLessThan(at('Roll back'));
    expect(text).toContain(`and(failed(), eq(variables['swapped'], 'true'))`);
    // The watch follows production's smoke test, from the time the swap step recorded.
    expect(text).toContain('swappedAt]$(date -u');
    expect(at('Smoke-test production')).toBeLessThan(at('npm run swap-watch'));
    expect(at('npm run swap-watch')).toBeLessThan(at('Deploy the worker'));
    expect(text).toContain('--since \\"$(swappedAt)\\"');
  });

  it('CI publishes JUnit and coverage and the package', () => {
    const text = readText(`${azurePipelinesDir}/ci.yml`);
    for (const expected of [
      'PublishTestResults@2',
      'PublishCodeCoverageResults@2',
      'artifact: azimuth-package',
    ])
      expect(text).toContain(expected);
  });

  it.each(adoFiles)('%s uses workload-identity service connections, never a stored secret', (file) => {
    const text = readText(file);
    expect(text).not.toMatch(/client-secret|ARM_CLIENT_SECRET|servicePrincipalKey/);
    for (const [, connection] of text.matchAll(/azureSubscription:\s*(.+)$/gm)) {
      expect(connection, file).toMatch(
        /^azimuth-(prod-(slot|production)|terraform-\$\{\{ parameters\.environment \}\})$/,
      );
    }
  });

  it('CD deploys the console with AzureStaticWebApp@0 and a token read at deploy time', () => {
    const text = readText(`${azurePipelinesDir}/cd.yml`);
    const at = (s: string) => text.indexOf(s);
    expect(at('npm run build:web')).toBeGreaterThan(
      at('"$(APP_NAME)" --slot staging --target-slot production'),
    );
    expect(text).toContain('VITE_API_ORIGIN: $(SERVICE_API_URI)');
    expect(at('az staticwebapp secrets list')).toBeLessThan(at('task: AzureStaticWebApp@0'));
    expect(text).toContain('azure_static_web_apps_api_token: $(CONSOLE_DEPLOYMENT_TOKEN)');
  });
});

describe('commands the pipelines run', () => {
  it.each([...workflowFiles, ...adoFiles])('%s: every `npm run X` exists in package.json', (file) => {
    const scripts = Object.keys(packageJson.scripts);
    for (const [, name] of readText(file).matchAll(/npm run ([\w:-]+)/g)) {
      expect(scripts, `${file}: npm run ${name}`).toContain(name);
    }
  });
});
