// Every rule of the deployment standard, grouped as infrastructure/README.md's table groups them.
import { appServiceRules } from './app-service-rules.js';
import { keyVaultRules, openAiRules, postgresRules, redisRules, storageRules } from './data-rules.js';
import { networkRules, securityRules } from './network-rules.js';
import { autoscaleRules, costRules, identityRules, monitoringRules, stateRules } from './operations-rules.js';
import type { Rule } from './rule.js';

export const ruleGroups: Record<string, Rule[]> = {
  'App Service': appServiceRules,
  PostgreSQL: postgresRules,
  Redis: redisRules,
  Storage: storageRules,
  'Key Vault': keyVaultRules,
  'Azure OpenAI': openAiRules,
  'Networking and DNS': networkRules,
  Security: securityRules,
  Identity: identityRules,
  Monitoring: monitoringRules,
  Autoscale: autoscaleRules,
  Cost: costRules,
  'State and versions': stateRules,
};

export const allRules: Rule[] = Object.values(ruleGroups).flat();

export function ruleNamed(name: string): Rule {
  const found = allRules.find((r) => r.name === name);
  if (!found) throw new Error(`no rule named "${name}"`);
  return found;
}
