// The Terraform side of the identity model: per environment, each pipeline identity, the token
// subjects it trusts (`ci_oidc_subjects` in the tfvars) and the roles it holds where
// (`local.pipeline_grants` in identity.tf, filtered the way `pipeline_role_assignments` is).
import {
  environments,
  evaluate,
  local,
  variableValue,
  type EnvironmentName,
  type TerraformModel,
} from '../infrastructure/terraform-model.js';
import { exists, scopeTarget, type Target } from './azure-targets.js';

export interface Grant {
  key: string;
  role: string;
  target: Target;
  /** Whether the scope exists in the environment (a grant enabled without it fails to apply). */
  exists: boolean;
}

export interface PipelineIdentity {
  /** `prod/slot`: the Terraform environment and the identity's key. */
  id: string;
  environment: EnvironmentName;
  subjects: string[];
  grants: Grant[];
}

type Subjects = Record<string, { github?: string; azure_devops?: string }>;

export function pipelineIdentities(model: TerraformModel): PipelineIdentity[] {
  const grants = local(model, 'pipeline_grants') as Record<string, Record<string, string>>;
  return environments.flatMap((environment) => {
    const subjects = (variableValue(model, environment, 'ci_oidc_subjects') ?? {}) as Subjects;
    return Object.entries(subjects).map(([identity, subject]): PipelineIdentity => ({
      id: `${environment}/${identity}`,
      environment,
      subjects: [subject.github, subject.azure_devops].filter((s): s is string => !!s),
      grants: Object.entries(grants)
        .filter(([, grant]) => evaluate(model, environment, grant.identity) === identity)
        .filter(([, grant]) => evaluate(model, environment, grant.enabled) === true)
        .map(([key, grant]) => {
          const target = scopeTarget(model, String(grant.scope));
          return { key, role: String(grant.role), target, exists: exists(model, environment, target) };
        }),
    }));
  });
}
