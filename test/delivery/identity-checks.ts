// The identity model's checks. Each returns its findings (empty: the rule holds), so a test can
// show the finding, and a mutation can show the check catching what it was written for.
import type { TerraformModel } from '../infrastructure/terraform-model.js';
import { covers, describeTarget } from './azure-targets.js';
import { jobNeeds, type JobNeeds, type Need } from './job-needs.js';
import { pipelineIdentities, type Grant, type PipelineIdentity } from './pipeline-identities.js';
import { pipelineJobs, upstreamOf, type PipelineJob, type PipelineSources } from './pipeline-jobs.js';

export interface IdentityModel {
  jobs: PipelineJob[];
  needs: Map<string, JobNeeds>;
  identities: PipelineIdentity[];
}

export function identityModel(terraform: TerraformModel, sources: PipelineSources): IdentityModel {
  const jobs = pipelineJobs(sources);
  return {
    jobs,
    needs: new Map(jobs.map((job) => [job.id, jobNeeds(terraform, job)])),
    identities: pipelineIdentities(terraform),
  };
}

const needsOf = (m: IdentityModel, job: PipelineJob): JobNeeds =>
  m.needs.get(job.id) ?? { roles: [], private: [], terraform: false };

const federated = (m: IdentityModel, job: PipelineJob): PipelineIdentity[] =>
  m.identities.filter((identity) => job.subjects.some((s) => identity.subjects.includes(s)));

/** The jobs that deploy (log in to Azure, not Terraform's bootstrap principal). */
const deployJobs = (m: IdentityModel) =>
  m.jobs.filter((job) => job.subjects.length > 0 && !needsOf(m, job).terraform);

const satisfies = (grant: Grant, need: Need) =>
  grant.exists && grant.role === need.role && covers(grant.target, need.target);

/** Used exactly: the same role on the same target, not a wider scope that happens to cover it. */
const usedBy = (grant: Grant, need: Need) =>
  satisfies(grant, need) && describeTarget(grant.target) === describeTarget(need.target);

function everyJobIsFederated(m: IdentityModel): string[] {
  const findings: string[] = [];
  for (const job of m.jobs) {
    const needs = needsOf(m, job);
    const identities = federated(m, job);
    if (needs.terraform) {
      for (const identity of identities)
        findings.push(`${job.id} runs Terraform as pipeline identity ${identity.id}`);
      continue;
    }
    if (needs.roles.length > 0 && job.subjects.length === 0)
      findings.push(`${job.id} acts on Azure without logging in`);
    if (job.subjects.length > 1)
      findings.push(`${job.id} logs in as several principals: ${job.subjects.join(', ')}`);
    if (job.subjects.length > 0 && identities.length !== 1) {
      findings.push(`${job.id}: ${job.subjects.join(', ')} is trusted by ${identities.length} identities`);
    }
  }
  return findings;
}

function everyJobHasWhatItTouches(m: IdentityModel): string[] {
  return deployJobs(m).flatMap((job) => {
    const [identity] = federated(m, job);
    if (!identity) return [];
    return needsOf(m, job)
      .roles.filter((need) => !identity.grants.some((grant) => satisfies(grant, need)))
      .map(
        (need) =>
          `${job.id} (${identity.id}) lacks ${need.role} on ${describeTarget(need.target)} for: ${need.because}`,
      );
  });
}

function noIdentityHoldsMore(m: IdentityModel): string[] {
  return m.identities.flatMap((identity) => {
    const jobs = deployJobs(m).filter((job) => federated(m, job).includes(identity));
    const needs = jobs.flatMap((job) => needsOf(m, job).roles);
    return [
      ...identity.subjects
        .filter((subject) => !jobs.some((job) => job.subjects.includes(subject)))
        .map((subject) => `${identity.id} trusts ${subject}, which no job carries`),
      ...identity.grants
        .filter((grant) => !grant.exists)
        .map((grant) => `${identity.id}: ${grant.key} is enabled where its scope does not exist`),
      ...identity.grants
        .filter((grant) => grant.exists && !needs.some((need) => usedBy(grant, need)))
        .map(
          (grant) =>
            `${identity.id} holds ${grant.role} on ${describeTarget(grant.target)}, more than its jobs use`,
        ),
    ];
  });
}

/** The private runner contract with networking.tf: one per Terraform environment. */
export const privateRunner = (job: PipelineJob, environment: string): string =>
  job.system === 'github' ? `group:azimuth-private-${environment}` : `pool:mdp-azimuth-${environment}`;

function privateJobsRunInside(m: IdentityModel): string[] {
  return m.jobs.flatMap((job) => {
    const reasons = needsOf(m, job).private;
    if (reasons.length === 0) return [];
    const [identity] = federated(m, job);
    if (!identity) return [`${job.id} reaches private services but its environment is unknown (no identity)`];
    const runner = privateRunner(job, identity.environment);
    return job.runner === runner
      ? []
      : [`${job.id} runs on ${job.runner}, not ${runner}, yet: ${reasons[0] ?? ''}`];
  });
}

function terraformRunsHosted(m: IdentityModel): string[] {
  return m.jobs
    .filter((job) => needsOf(m, job).terraform && !job.runner.startsWith('hosted:'))
    .map((job) => `${job.id} runs Terraform on ${job.runner}`);
}

/** The environments a job applies (`terraform apply` with its tfvars). */
function applied(job: PipelineJob): string[] {
  const text = job.steps.map((s) => s.command).join('\n');
  if (!/\bterraform\b[^\n]*\bapply\b/.test(text)) return [];
  return [...text.matchAll(/environments\/(\w+)\.tfvars/g)].map((match) => match[1] ?? '');
}

function productionAfterStaging(m: IdentityModel): string[] {
  return m.jobs
    .filter((job) => applied(job).includes('prod'))
    .filter((job) => {
      const upstream = upstreamOf(m.jobs, job);
      return !m.jobs.some((other) => upstream.has(other.id) && applied(other).includes('staging'));
    })
    .map((job) => `${job.id} applies prod without waiting for staging's apply`);
}

function terraformTokensRefresh(m: IdentityModel): string[] {
  return m.jobs.flatMap((job) =>
    job.steps
      .filter((step) => /\bterraform\b[^\n]*\b(init|plan|apply)\b/.test(step.command))
      .flatMap((step) => {
        const text = `${step.command}\n${JSON.stringify(step.env)}`;
        const findings: string[] = [];
        if (/ARM_OIDC_TOKEN\b|\$idToken/.test(text))
          findings.push(`${job.id} hands Terraform a static ID token`);
        if (job.system === 'azure-pipelines') {
          if (
            step.env.SYSTEM_ACCESSTOKEN !== '$(System.AccessToken)' ||
            !/^(true|'true')$/.test(step.env.ARM_USE_OIDC ?? '')
          )
            findings.push(`${job.id}: Terraform's step maps no SYSTEM_ACCESSTOKEN or ARM_USE_OIDC`);
          if (!/export ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=/.test(step.command))
            findings.push(`${job.id}: Terraform is not told the service connection to refresh tokens from`);
        }
        return findings;
      }),
  );
}

export const identityChecks: Record<string, (m: IdentityModel) => string[]> = {
  'every job that logs in to Azure is federated with exactly one pipeline identity': everyJobIsFederated,
  "every job's identity holds what the job touches": everyJobHasWhatItTouches,
  'no identity holds a role or trusts a subject its jobs do not use': noIdentityHoldsMore,
  "jobs that reach private services run on their environment's private runner": privateJobsRunInside,
  'Terraform runs on hosted runners': terraformRunsHosted,
  'production is applied only after staging succeeded': productionAfterStaging,
  'Terraform refreshes its OIDC token for as long as it runs': terraformTokensRefresh,
};
