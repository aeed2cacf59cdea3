// The identity model (issue 20): every pipeline job of both systems, followed from the
// environment or service connection it runs under to the federated subject, the identity and its
// role assignments (identity.tf and the tfvars), against what the job's steps touch. Each check
// is then broken in a copy of the files, in memory, to show it catches what it was written for.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTerraform, type TerraformModel } from '../infrastructure/terraform-model.js';
import { identityChecks, identityModel, type IdentityModel } from './identity-checks.js';
import { readPipelineSources, type PipelineSources } from './pipeline-jobs.js';

let terraform: TerraformModel;
let sources: PipelineSources;
let model: IdentityModel;

beforeAll(async () => {
  terraform = await loadTerraform();
  sources = readPipelineSources();
  model = identityModel(terraform, sources);
});

describe('identity model', () => {
  it('sees the deploying jobs of both systems and the production identities', () => {
    const deploying = model.jobs.filter((job) => (model.needs.get(job.id)?.roles.length ?? 0) > 0);
    expect(deploying.map((job) => job.id).sort()).toEqual([
      'cd.yml#DeployStaging/DeployStaging',
      'cd.yml#Migrate/Migrate',
      'cd.yml#Production/Swap',
      'cd.yml#deploy-staging',
      'cd.yml#migrate',
      'cd.yml#production',
    ]);
    expect(model.identities.map((identity) => identity.id).sort()).toEqual(['prod/production', 'prod/slot']);
  });

  it.each(Object.keys(identityChecks))('%s', (name) => {
    expect(identityChecks[name]?.(model)).toEqual([]);
  });
});

interface Edit {
  /** Repository path (pipelines) or path under infrastructure/terraform (Terraform). */
  file: string;
  from: string | RegExp;
  to: string;
}

interface Mutation extends Edit {
  finding: string;
  check: string;
  /** More edits the finding needs, in other files. */
  also?: Edit[];
}

const terraformFile = (file: string) => !file.startsWith('.github/') && !file.startsWith('infrastructure/');

const mutations: Mutation[] = [
  {
    finding: '7: the slot stage runs under an environment no identity trusts',
    check: 'every job that logs in to Azure is federated with exactly one pipeline identity',
    file: '.github/workflows/cd.yml',
    from: /production-slot/g,
    to: 'staging',
  },
  {
    finding: "7: the slot stage's connection is production's",
    check: "every job's identity holds what the job touches",
    file: 'infrastructure/azure-pipelines/cd.yml',
    from: /azureSubscription: azimuth-prod-slot/g,
    to: 'azureSubscription: azimuth-prod-production',
  },
  {
    finding: "7 as it was: the slot stage under `staging`, trusted by staging's identity",
    check: "every job's identity holds what the job touches",
    file: 'environments/staging.tfvars',
    from: /$/,
    to: '\nci_oidc_subjects = { slot = { github = "repo:azimuth/azimuth:environment:staging" } }\n',
    also: [{ file: '.github/workflows/cd.yml', from: /production-slot/g, to: 'staging' }],
  },
  {
    finding: '7: an identity trusts a subject no job carries',
    check: 'no identity holds a role or trusts a subject its jobs do not use',
    file: 'environments/prod.tfvars',
    from: 'environment:production-slot',
    to: 'environment:staging',
  },
  {
    finding: 'an unused role: the production identity reads the vault',
    check: 'no identity holds a role or trusts a subject its jobs do not use',
    file: 'identity.tf',
    from: '    "production/worker" = {',
    to: `    "production/vault" = {
      enabled  = true
      identity = "production"
      role     = "Key Vault Secrets User"
      scope    = azurerm_key_vault.main.id
    }
    "production/worker" = {`,
  },
  {
    finding: '21: the watched swap without Monitoring Reader (Website Contributor cannot read metrics)',
    check: "every job's identity holds what the job touches",
    file: 'identity.tf',
    from: /role {5}= "Monitoring Reader"/,
    to: 'role     = "Website Contributor"',
  },
  {
    finding: 'a role wider than its use: the whole vault for one secret',
    check: 'no identity holds a role or trusts a subject its jobs do not use',
    file: 'identity.tf',
    from: '"${azurerm_key_vault.main.id}/secrets/${local.secret_names.database_direct}"',
    to: 'azurerm_key_vault.main.id',
  },
  {
    finding: 'a missing role: the slot deployer without the slot',
    check: "every job's identity holds what the job touches",
    file: 'identity.tf',
    from: /role {5}= "Website Contributor"\n {6}scope {4}= one\(azurerm_linux_web_app_slot/,
    to: 'role     = "Contributor"\n      scope    = one(azurerm_linux_web_app_slot',
  },
  {
    finding: '6: GitHub migrates from a hosted runner',
    check: "jobs that reach private services run on their environment's private runner",
    file: '.github/workflows/cd.yml',
    from: /runs-on:\n\s+group: azimuth-private-prod/,
    to: 'runs-on: ubuntu-24.04',
  },
  {
    finding: '6: Azure Pipelines migrates from a hosted agent',
    check: "jobs that reach private services run on their environment's private runner",
    file: 'infrastructure/azure-pipelines/cd.yml',
    from: 'pool: mdp-azimuth-prod',
    to: 'pool:\n          vmImage: ubuntu-24.04',
  },
  {
    finding: 'Terraform moved onto the private runner',
    check: 'Terraform runs on hosted runners',
    file: '.github/workflows/infrastructure.yml',
    from: /(apply-production:[\s\S]*?)runs-on: ubuntu-24.04/,
    to: '$1runs-on:\n      group: azimuth-private-prod',
  },
  {
    finding: '11: Azure Pipelines hand Terraform a static ID token',
    check: 'Terraform refreshes its OIDC token for as long as it runs',
    file: 'infrastructure/azure-pipelines/terraform.yml',
    from: /export ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=.*/,
    to: 'export ARM_OIDC_TOKEN="$idToken"',
  },
  {
    finding: '14: Azure Pipelines apply production beside staging',
    check: 'production is applied only after staging succeeded',
    file: 'infrastructure/azure-pipelines/infrastructure.yml',
    from: 'dependsOn: [Terraform_staging]',
    to: 'dependsOn: [Checks]',
  },
  {
    finding: '14: GitHub applies production beside staging',
    check: 'production is applied only after staging succeeded',
    file: '.github/workflows/infrastructure.yml',
    from: 'needs: apply-staging',
    to: 'needs: checks',
  },
];

describe('the identity checks can fail', () => {
  it.each(mutations)('$finding', async (mutation) => {
    const pipelines = { ...sources };
    const terraformOverrides: Record<string, string> = {};
    for (const { file, from, to } of [mutation, ...(mutation.also ?? [])]) {
      const files = terraformFile(file) ? terraformOverrides : pipelines;
      const original = files[file] ?? terraform.sources[file] ?? '';
      files[file] = original.replace(from, to);
      expect(files[file], `the mutation changes ${file}`).not.toBe(original);
    }
    const mutated = identityModel(await loadTerraform(terraformOverrides), pipelines);
    expect(identityChecks[mutation.check]?.(mutated)).not.toEqual([]);
  });
});
