// The rule tests can fail: each case breaks one rule in a copy of the configuration (in memory)
// and expects that rule's check to throw. A rule nobody could break would prove nothing.
import { describe, expect, it } from 'vitest';
import { loadTerraform, readSource } from './terraform-model.js';
import { ruleNamed } from './rules/index.js';

interface Mutation {
  rule: string;
  file: string;
  from: string | RegExp;
  to: string;
}

const mutations: Mutation[] = [
  {
    rule: 'web apps are HTTPS only',
    file: 'app_service.tf',
    from: /https_only(\s+)= true/,
    to: 'https_only$1= false',
  },
  {
    rule: 'Key Vault has purge protection',
    file: 'keyvault.tf',
    from: /\n\s*purge_protection_enabled\s+= true/,
    to: '',
  },
  {
    rule: 'FTP and basic-auth publishing are disabled',
    file: 'app_service.tf',
    from: '"Disabled"',
    to: '"AllAllowed"',
  },
  {
    rule: 'health check probes /health/readiness with an eviction time',
    file: 'app_service.tf',
    from: 'health_check_path                 = "/health/readiness"',
    to: 'health_check_path                 = "/health"',
  },
  {
    rule: 'database URL, environment and telemetry are slot-sticky',
    file: 'app_service.tf',
    from: '["DATABASE_URL", "ENVIRONMENT", ',
    to: '["DATABASE_URL", ',
  },
  {
    rule: 'no ingress is open to 0.0.0.0/0',
    file: 'networking.tf',
    from: 'sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.pe]',
    to: 'sources = ["Internet"], destinations = [local.subnet_prefixes.pe]',
  },
  {
    rule: 'no public network access in production',
    file: 'environments/prod.tfvars',
    from: /public_network_access_enabled(\s+)= false/,
    to: 'public_network_access_enabled$1= true',
  },
  {
    rule: 'no public network access in production',
    file: 'redis.tf',
    from: /public_network_access(\s+)= var\.public_network_access_enabled \? "Enabled" : "Disabled"/,
    to: 'public_network_access$1= "Enabled"',
  },
  {
    rule: 'no secret literal in Terraform, environment, azd or backend files',
    file: 'postgresql.tf',
    from: /administrator_password_wo(\s+)= ephemeral\.random_password\.database\.result/,
    to: 'administrator_password$1= "Tr0ub4dor-and-3"',
  },
  {
    rule: 'no secret literal in Terraform, environment, azd or backend files',
    file: 'keyvault.tf',
    from: /value = ephemeral\.random_password\.jwt\.result/,
    to: 'value = "not-so-secret-after-all"',
  },
  {
    rule: 'PgBouncer runs in transaction mode with the seed pool figures',
    file: 'postgresql.tf',
    from: '"TRANSACTION"',
    to: '"SESSION"',
  },
  {
    rule: 'PostgreSQL is zone-redundant HA in production only',
    file: 'environments/prod.tfvars',
    from: /postgres_high_availability_enabled(\s+)= true/,
    to: 'postgres_high_availability_enabled$1= false',
  },
  {
    rule: 'storage allows no public blob access',
    file: 'storage.tf',
    from: 'allow_nested_items_to_be_public = false',
    to: 'allow_nested_items_to_be_public = true',
  },
  {
    rule: 'Azure OpenAI local (key) auth is off',
    file: 'openai.tf',
    from: /local_auth_enabled(\s+)= false/,
    to: 'local_auth_enabled$1= true',
  },
  {
    rule: 'autoscale on CPU: out above 70 %, in below 30 %, over 10 minutes',
    file: 'autoscale.tf',
    from: 'threshold = 70',
    to: 'threshold = 90',
  },
  { rule: 'alert: memory above 85 %', file: 'alerts.tf', from: /threshold(\s+)= 85/, to: 'threshold$1= 95' },
  {
    rule: 'budget starts on the first of the creating month and ignores later plans',
    file: 'budget.tf',
    from: '00:00:00Z", plantimestamp())',
    to: '00:00:00Z", timestamp())',
  },
  {
    rule: 'budget starts on the first of the creating month and ignores later plans',
    file: 'budget.tf',
    from: /\n\s*ignore_changes = \[time_period\]/,
    to: '',
  },
  {
    rule: 'no public network access in production',
    file: 'app_service.tf',
    from: 'ip_restriction_default_action     = "Deny"',
    to: 'ip_restriction_default_action     = "Allow"',
  },
  {
    rule: 'Redis clustering lets a non-cluster-aware client connect',
    file: 'redis.tf',
    from: '"NoCluster"',
    to: '"OSSCluster"',
  },
  {
    rule: 'start commands run the api on every core and the worker role',
    file: 'app_service.tf',
    from: 'node dist/roles/cli.js api --workers auto',
    to: 'node dist/roles/cli.js api',
  },
  {
    rule: 'telemetry is sampled at seed 004’s target rate',
    file: 'app_service.tf',
    from: 'APPLICATIONINSIGHTS_TRACES_PER_SECOND = "5"',
    to: 'APPLICATIONINSIGHTS_TRACES_PER_SECOND = "0"',
  },
  {
    rule: 'the container stop limit exceeds the shutdown drain',
    file: 'variables.tf',
    from: 'default     = 45000',
    to: 'default     = 56000',
  },
];

describe('breaking a rule fails its named test', () => {
  it.each(mutations)('$rule ($file)', async ({ rule, file, from, to }) => {
    const source = readSource(file);
    const broken = source.replace(from, to);
    expect(broken, 'the mutation must change the file').not.toBe(source);
    const model = await loadTerraform({ [file]: broken });
    expect(() => ruleNamed(rule).check(model)).toThrow();
  });
});
