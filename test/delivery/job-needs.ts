// What a job needs, read from its steps: each command that acts on Azure is classified into the
// role and target it needs, and whether it must run inside the VNet (private data plane).
import type { TerraformModel } from '../infrastructure/terraform-model.js';
import { variableResource, variableSecret, type Target } from './azure-targets.js';
import type { PipelineJob, PipelineStep } from './pipeline-jobs.js';

export interface Need {
  role: string;
  target: Target;
  /** The command that needs it, for the failure message. */
  because: string;
}

export interface JobNeeds {
  roles: Need[];
  /** Why the job must run inside the VNet (empty: a hosted runner will do). */
  private: string[];
  /** Whether the job runs Terraform (the bootstrap identity, not a pipeline identity). */
  terraform: boolean;
}

const flag = (command: string, name: string): string | undefined =>
  new RegExp(`--${name}\\s+"?«(\\w+)»"?`).exec(command)?.[1] ??
  new RegExp(`--${name}\\s+"?([\\w-]+)"?`).exec(command)?.[1];

/** One classifier per kind of Azure command the pipelines run. */
const classifiers: {
  pattern: RegExp;
  needs: (model: TerraformModel, command: string) => { role?: string; target?: Target; private?: boolean };
}[] = [
  {
    // Zip deploy to an app or one of its slots.
    pattern: /\baz webapp deploy\b[^\n]*/g,
    needs: (model, command) => {
      const app = variableResource(model, flag(command, 'name') ?? '?');
      const slot = /--slot\s+"?([\w-]+)"?/.exec(command)?.[1];
      return {
        role: 'Website Contributor',
        target: { kind: 'site', resource: app, ...(slot ? { slot } : {}) },
      };
    },
  },
  {
    // A swap acts on the production site and the slot together.
    pattern: /\baz webapp deployment slot swap\b[^\n]*/g,
    needs: (model, command) => ({
      role: 'Website Contributor',
      target: { kind: 'site', resource: variableResource(model, flag(command, 'name') ?? '?') },
    }),
  },
  {
    // The watched swap reads the site's platform metrics (`az monitor metrics list`,
    // Microsoft.Insights/metrics/read), which Website Contributor does not carry.
    pattern: /\bswap-watch\b[^\n]*/g,
    needs: (model, command) => ({
      role: 'Monitoring Reader',
      target: { kind: 'site', resource: variableResource(model, flag(command, 'name') ?? '?') },
    }),
  },
  {
    // A Key Vault secret read: data plane, private in staging and production.
    pattern: /\baz keyvault secret show\b[^\n]*/g,
    needs: (model, command) => ({
      role: 'Key Vault Secrets User',
      target: {
        kind: 'secret',
        resource: variableResource(model, flag(command, 'vault-name') ?? '?'),
        secret: variableSecret(model, flag(command, 'name') ?? '?'),
      },
      private: true,
    }),
  },
  {
    // The Static Web App's deployment token (listSecrets), read at deploy time.
    pattern: /\baz staticwebapp secrets list\b[^\n]*/g,
    needs: (model, command) => ({
      role: 'Contributor',
      target: { kind: 'static-site', resource: variableResource(model, flag(command, 'name') ?? '?') },
    }),
  },
  {
    // Migrations talk to PostgreSQL, which has a private endpoint only.
    pattern: /\bcli\.js migrate\b[^\n]*/g,
    needs: () => ({ private: true }),
  },
];

export function stepNeeds(model: TerraformModel, step: PipelineStep): { roles: Need[]; private: string[] } {
  const roles: Need[] = [];
  const inside: string[] = [];
  for (const { pattern, needs } of classifiers) {
    for (const [command] of step.command.matchAll(pattern)) {
      const need = needs(model, command);
      if (need.role && need.target) roles.push({ role: need.role, target: need.target, because: command });
      if (need.private) inside.push(command);
    }
  }
  return { roles, private: inside };
}

export function jobNeeds(model: TerraformModel, job: PipelineJob): JobNeeds {
  const each = job.steps.map((step) => stepNeeds(model, step));
  return {
    roles: each.flatMap((n) => n.roles),
    private: each.flatMap((n) => n.private),
    terraform: job.steps.some((s) => /\bterraform\b[^\n]*\b(plan|apply)\b/.test(s.command)),
  };
}
