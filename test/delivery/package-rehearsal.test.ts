// The package rehearsal (issue 20): exactly what azd and the pipelines upload, unpacked alone,
// started with Terraform's start command and app settings (Key Vault references → local values,
// resource endpoints → local stand-ins), must become ready and pass `npm run smoke`. The
// mutations show that a missing runtime dependency, a missing `bin`, an ignore file azd never
// reads, or a hook that skips the recipe each fail it.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { available } from '../helpers/services.js';
import {
  loadTerraform,
  type EnvironmentName,
  type TerraformModel,
} from '../infrastructure/terraform-model.js';
import { azdZipFiles } from './azd-zip-rules.js';
import {
  healthCheckPath,
  sites,
  startCommand,
  type LocalStandIns,
  type Site,
} from './deployed-app-settings.js';
import {
  azdZip,
  azureYaml,
  copyWithout,
  hookProblems,
  isolationProblems,
  packageRecipe,
  promiseProblems,
  repoRoot,
  scratch,
  siteCli,
  smoke,
  startSite,
  unpack,
  waitForStatus200,
  zipListing,
  type RunningSite,
} from './deployed-package.js';
import { startRehearsalWorld, type RehearsalWorld } from './rehearsal-stand-ins.js';

const servicesUp = (await available('postgres')) && (await available('redis'));

describe.runIf(servicesUp)(
  'package rehearsal: what each deploy path uploads starts and serves',
  { timeout: 180_000 },
  () => {
    const work = scratch('package-rehearsal');
    let model: TerraformModel;
    let world: RehearsalWorld;
    const closers: (() => Promise<void>)[] = [];
    let pipelinesArtifact: string;
    let pipelinesSite: string;
    let azdFolder: string;
    let azdArtifact: string;
    let azdSite: string;

    beforeAll(async () => {
      // Build once per run: CI's `npm run build` already did, so this is then a no-op.
      execFileSync(process.execPath, ['scripts/build-if-changed.js'], { cwd: repoRoot, stdio: 'ignore' });
      model = await loadTerraform();
      world = await startRehearsalWorld(model, work.dir);
      closers.push(() => world.close());
      // The recipe once for both paths; the first test shows azd's zip of it equals the pipelines'.
      ({ folder: azdFolder, zip: pipelinesArtifact } = packageRecipe(work.dir));
      pipelinesSite = unpack(pipelinesArtifact, join(work.dir, 'pipelines'));
      azdArtifact = azdZip(azureYaml(), 'api', azdFolder, join(work.dir, 'azd-zip'));
      azdSite = unpack(azdArtifact, join(work.dir, 'azd'));
    }, 600_000);

    afterAll(async () => {
      for (const close of closers) await close();
      work.remove();
    }, 300_000);

    async function start(
      root: string,
      env: EnvironmentName,
      site: Site,
      standIns: LocalStandIns,
    ): Promise<RunningSite> {
      const running = startSite(
        root,
        startCommand(model, env, site, standIns),
        world.processEnvironment(env, site, standIns),
        await freePort(),
      );
      await waitForStatus200(running, healthCheckPath(model, site)).catch(async (error: unknown) => {
        await running.stop();
        throw error;
      });
      return running;
    }

    /** Worker, then API, ready on their health-check path; a token from the package's CLI; smoke green. */
    async function rehearse(
      root: string,
      env: EnvironmentName,
      api: Site,
      standIns: LocalStandIns,
    ): Promise<void> {
      expect(isolationProblems(root)).toEqual([]);
      const worker = await start(root, env, sites.worker, standIns);
      try {
        const server = await start(root, env, api, standIns);
        try {
          const settings = world.processEnvironment(env, api, standIns);
          const token = siteCli(root, ['token', '--sub', 'package-rehearsal'], settings).trim();
          const result = await smoke(server.url, token);
          const output = result.lines.join('\n');
          expect(
            result.lines.filter((line) => line.startsWith('FAIL')),
            output,
          ).toEqual([]);
          expect(result.code, output).toBe(0);
        } finally {
          await server.stop();
        }
      } finally {
        await worker.stop();
      }
    }

    it("azure.yaml: the prepackage hook fills both services' dist with the package recipe", () => {
      const config = azureYaml();
      expect(['api', 'worker'].flatMap((service) => hookProblems(config, service))).toEqual([]);
    });

    it('azd and the pipelines upload the same files: what package.json promises, production dependencies only', () => {
      const config = azureYaml();
      const pipelines = zipListing(pipelinesArtifact);
      expect(zipListing(azdArtifact)).toEqual(pipelines);
      const [api, worker] = [config.services.api, config.services.worker];
      expect(worker && azdZipFiles(worker, azdFolder)).toEqual(api && azdZipFiles(api, azdFolder));
      expect(promiseProblems(pipelinesSite)).toEqual([]);
      const top = new Set(pipelines.map((path) => path.split('/')[0]));
      expect([...top].sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json', 'web']);
      const runtime = [
        'pg',
        'ioredis',
        'bullmq',
        '@azure/identity',
        '@azure/storage-blob',
        '@azure/monitor-opentelemetry',
      ];
      for (const name of runtime) expect(pipelines, name).toContain(`node_modules/${name}/package.json`);
      for (const tool of ['typescript', 'vitest', 'tsx', 'eslint', 'azurite'])
        expect(pipelines, tool).not.toContain(`node_modules/${tool}/package.json`);
      expect(pipelines.filter((path) => /^dist\/(pglite-template\/|.*\.tsbuildinfo$)/.test(path))).toEqual(
        [],
      );
    });

    it('the pipelines: migrate from the zip, then the worker and the staging slot start with prod settings; npm run smoke passes', async () => {
      const standIns = await world.deployment('pkg_pipelines');
      // cd.yml's migrate step: the package's own CLI on the direct database port.
      const settings = world.processEnvironment('prod', sites.apiStagingSlot, standIns);
      siteCli(pipelinesSite, ['migrate'], {
        ...settings,
        DATABASE_URL: standIns.secrets.database_direct ?? '',
      });
      await rehearse(pipelinesSite, 'prod', sites.apiStagingSlot, standIns);
    });

    it('azd up (dev): what azd zips starts as both services; the worker migrates; npm run smoke passes', async () => {
      await rehearse(azdSite, 'dev', sites.api, await world.deployment('pkg_azd'));
    });

    describe('mutations: each way a package can be incomplete fails the rehearsal', () => {
      /** azd's zip of the package folder with its ignore file changed by `change` (undone after). */
      function azdZipWith(change: (ignoreFile: string) => void): string {
        const ignoreFile = join(azdFolder, '.webappignore');
        const original = readFileSync(ignoreFile);
        try {
          change(ignoreFile);
          return azdZip(azureYaml(), 'api', azdFolder, join(work.dir, 'mutated'));
        } finally {
          writeFileSync(ignoreFile, original);
        }
      }

      const modules = (zip: string) => zipListing(zip).filter((path) => path.startsWith('node_modules/'));

      it('a runtime dependency missing (node_modules/ioredis): the API never becomes ready', async () => {
        const standIns = await world.deployment('pkg_no_ioredis');
        const site = copyWithout(pipelinesSite, join(work.dir, 'no-ioredis'), ['node_modules/ioredis']);
        await expect(start(site, 'prod', sites.apiStagingSlot, standIns)).rejects.toThrow(/ioredis/);
      });

      it('the bin missing: package.json promises what is not there', () => {
        const site = copyWithout(pipelinesSite, join(work.dir, 'no-bin'), ['bin']);
        expect(promiseProblems(site)).toEqual(['bin azimuth: bin/azimuth.js is not in the package']);
      });

      it('the ignore file where azd does not read it (the repository root): no node_modules, the API cannot start', async () => {
        const standIns = await world.deployment('pkg_azd_ignore');
        const zip = azdZipWith((ignoreFile) => renameSync(ignoreFile, join(work.dir, '.webappignore')));
        expect(modules(zip)).toEqual([]);
        const site = unpack(zip, join(work.dir, 'azd-no-modules'));
        await expect(start(site, 'dev', sites.api, standIns)).rejects.toThrow(
          /Cannot find package|ERR_MODULE_NOT_FOUND/,
        );
      });

      it('an ignore file in dist that excludes node_modules: azd drops them the same way', () => {
        expect(modules(azdZipWith((ignoreFile) => writeFileSync(ignoreFile, 'node_modules/\n')))).toEqual([]);
      });

      it("a prepackage hook that does not write the services' dist with the recipe", () => {
        const broken = { ...azureYaml(), hooks: { prepackage: { posix: { run: 'npm run build' } } } };
        expect(hookProblems(broken, 'api')).toEqual([
          "azure.yaml's prepackage hook does not write api's dist (.azd-package) with npm run package -- --dir",
        ]);
      });
    });
  },
);
