// Seed 004 "Networking" and "DNS", and the security rules every environment file must keep:
// no 0.0.0.0/0 ingress, no public network access in production, no secret literals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  repoRoot,
  terraformDir,
  asBodies,
  block,
  dynamicBlock,
  environments,
  evaluate,
  local,
  resource,
  resourcesOf,
  strings,
  variableValue,
  type Body,
  type TerraformModel,
} from '../terraform-model.js';
import { rule, type Rule } from './rule.js';

/** One rule of local.nsg_rules (networking.tf): sources, destinations and ports are lists. */
function findRule(m: TerraformModel, group: string, name: string): Body {
  const rules = (local(m, 'nsg_rules') as Record<string, Body[]>)[group] ?? [];
  const found = rules.find((r) => r.name === name);
  if (!found) throw new Error(`${group}-nsg has no rule ${name}`);
  return found;
}

const subnets = { app: '10.0.1.0/24', pe: '10.0.2.0/24', db: '10.0.3.0/24', mgmt: '10.0.4.0/24' };

/** Sources that mean "anyone on the internet". */
const openSources = new Set(['*', '0.0.0.0/0', '0.0.0.0', 'internet', 'any', '::/0']);

/** Resources facing the internet on purpose (the API and its slot serve public HTTPS). */
const publicByDesign = new Set(['azurerm_linux_web_app.api', 'azurerm_linux_web_app_slot.staging']);

/**
 * The storage account serves the SAS links the API hands to browsers (seed 001), so its public
 * endpoint is open by design, and acceptable only while no request gets in without a SAS or an
 * Entra token: no anonymous containers, no shared keys in production.
 */
const storageOnlyWithTokens = (m: TerraformModel, type: string, body: Body) =>
  type === 'azurerm_storage_account' &&
  body.allow_nested_items_to_be_public === false &&
  evaluate(m, 'prod', body.shared_access_key_enabled) === false;

/** A web app whose site denies every address is closed even with its deployment endpoint public. */
const siteDeniesAll = (body: Body) =>
  'site_config' in body && block(body, 'site_config').ip_restriction_default_action === 'Deny';

export const networkRules: Rule[] = [
  rule('VNet is 10.0.0.0/16 with the seed subnets', (m) => {
    expect(variableValue(m, 'prod', 'vnet_address_space')).toBe('10.0.0.0/16');
    const prefixes = local(m, 'subnet_prefixes') as Record<string, string>;
    for (const [name, cidr] of Object.entries(subnets)) {
      // cidrsubnet("10.0.0.0/16", 8, n) is 10.0.n.0/24.
      const netnum = /^\$\{cidrsubnet\(var\.vnet_address_space, 8, (\d+)\)\}$/.exec(
        String(prefixes[name]),
      )?.[1];
      expect(`10.0.${netnum ?? '?'}.0/24`, name).toBe(cidr);
    }
    expect(Object.keys(local(m, 'subnets') as Body)).toEqual(expect.arrayContaining(Object.keys(subnets)));
    const subnet = resource(m, 'azurerm_subnet', 'subnet');
    expect([subnet.for_each, subnet.address_prefixes]).toEqual([
      '${local.enabled_subnets}',
      ['${local.subnet_prefixes[each.key]}'],
    ]);
  }),
  rule('subnets are delegated to App Service and PostgreSQL', (m) => {
    const delegations = local(m, 'subnets') as Record<string, Body>;
    expect(delegations.app?.delegation).toBe('${local.app_service_delegation}');
    expect(delegations.worker?.delegation).toBe('${local.app_service_delegation}');
    expect(delegations.db?.delegation).toBe('${local.postgres_delegation}');
    expect((local(m, 'app_service_delegation') as Body).service).toBe('Microsoft.Web/serverFarms');
    expect((local(m, 'postgres_delegation') as Body).service).toBe(
      'Microsoft.DBforPostgreSQL/flexibleServers',
    );
    const delegation = dynamicBlock(resource(m, 'azurerm_subnet', 'subnet'), 'delegation');
    expect(block(delegation.content, 'service_delegation').name).toBe('${delegation.value.service}');
    expect(resource(m, 'azurerm_subnet', 'subnet').private_endpoint_network_policies).toBe('Enabled');
  }),
  rule('app NSG allows VNet services and HTTPS out, denies the rest', (m) => {
    const vnet = findRule(m, 'app', 'AllowVNetOutbound');
    expect([vnet.direction, vnet.access]).toEqual(['Outbound', 'Allow']);
    expect(vnet.ports).toEqual(['443', '5432', '6432', '${tostring(local.redis_port)}']);
    expect(vnet.destinations).toEqual(['${local.subnet_prefixes.pe}', '${local.subnet_prefixes.db}']);
    const https = findRule(m, 'app', 'AllowHttpsInternetOutbound');
    expect([https.destinations, https.ports]).toEqual([['Internet'], ['443']]);
    const deny = findRule(m, 'app', 'DenyAllOutbound');
    expect([deny.direction, deny.access, deny.priority, deny.destinations]).toEqual([
      'Outbound',
      'Deny',
      4096,
      ['*'],
    ]);
  }),
  rule('PE and DB NSGs admit only the app and runner subnets', (m) => {
    const pe = findRule(m, 'pe', 'AllowFromApp');
    expect([pe.sources, pe.ports]).toEqual([
      '${local.app_source_prefixes}',
      ['443', '${tostring(local.redis_port)}'],
    ]);
    const db = findRule(m, 'db', 'AllowFromApp');
    expect([db.sources, db.ports]).toEqual(['${local.app_source_prefixes}', ['5432', '6432']]);
    // The migration runners: the vault's endpoint (443, no Redis) and the database.
    const peRunners = findRule(m, 'pe', 'AllowFromRunners');
    expect([peRunners.sources, peRunners.ports]).toEqual(['${local.runner_source_prefixes}', ['443']]);
    const dbRunners = findRule(m, 'db', 'AllowFromRunners');
    expect([dbRunners.sources, dbRunners.ports]).toEqual([
      '${local.runner_source_prefixes}',
      ['5432', '6432'],
    ]);
    for (const group of ['pe', 'db']) {
      const deny = findRule(m, group, 'DenyAll');
      expect([deny.direction, deny.access, deny.sources], group).toEqual(['Inbound', 'Deny', ['*']]);
    }
    const guards = Object.fromEntries(
      Object.entries(local(m, 'subnets') as Record<string, Body>).map(([name, s]) => [name, s.nsg]),
    );
    expect(guards).toEqual({
      app: 'app',
      worker: 'app',
      pe: 'pe',
      db: 'db',
      mgmt: 'mgmt',
      github_runners: 'runners',
      devops_pool: 'runners',
    });
    const association = resource(m, 'azurerm_subnet_network_security_group_association', 'subnet');
    expect([association.for_each, association.network_security_group_id]).toEqual([
      '${local.enabled_subnets}',
      '${azurerm_network_security_group.nsg[each.value.nsg].id}',
    ]);
    expect(resource(m, 'azurerm_network_security_group', 'nsg').for_each).toBe('${local.nsg_rules}');
  }),
  rule('every private endpoint has a private DNS zone linked to the VNet', (m) => {
    const zones = local(m, 'private_dns_zones') as Record<string, string>;
    const endpoints = local(m, 'private_endpoints') as Record<string, Body>;
    for (const key of Object.keys(endpoints)) expect(zones[key], key).toMatch(/^privatelink\./);
    expect(zones).toMatchObject({
      keyvault: 'privatelink.vaultcore.azure.net',
      openai: 'privatelink.openai.azure.com',
      redis: 'privatelink.redis.azure.net',
    });
    const pe = resource(m, 'azurerm_private_endpoint', 'pe');
    expect(pe.subnet_id).toBe('${azurerm_subnet.subnet["pe"].id}');
    expect(block(pe, 'private_dns_zone_group').private_dns_zone_ids).toEqual([
      '${azurerm_private_dns_zone.zone[each.key].id}',
    ]);
    const link = resource(m, 'azurerm_private_dns_zone_virtual_network_link', 'zone');
    expect([link.for_each, link.virtual_network_id]).toEqual([
      '${local.private_dns_zones}',
      '${azurerm_virtual_network.main.id}',
    ]);
  }),
  rule('outbound traffic leaves through one NAT gateway', (m) => {
    const nat = resource(m, 'azurerm_subnet_nat_gateway_association', 'integration');
    expect([nat.for_each, nat.nat_gateway_id]).toEqual([
      '${{ for name, subnet in local.enabled_subnets : name => subnet if subnet.nat }}',
      '${azurerm_nat_gateway.main.id}',
    ]);
    const natSubnets = Object.entries(local(m, 'subnets') as Record<string, Body>)
      .filter(([, s]) => s.nat === true)
      .map(([name]) => name);
    expect(natSubnets.sort()).toEqual(['app', 'devops_pool', 'github_runners', 'worker']);
    expect(resource(m, 'azurerm_subnet', 'subnet').default_outbound_access_enabled).toBe(false);
  }),
];

export const securityRules: Rule[] = [
  rule('no secret literal in Terraform, environment, azd or backend files', (m) => {
    const extra = ['main.tfvars.json', 'provider.conf.json'];
    const texts: Record<string, string> = {
      ...m.sources,
      'azure.yaml': readFileSync(join(repoRoot, 'azure.yaml'), 'utf8'),
    };
    const documents: Record<string, unknown> = { ...m.documents };
    for (const file of extra) {
      texts[file] = readFileSync(join(terraformDir, file), 'utf8');
      documents[file] = JSON.parse(texts[file]) as unknown;
    }
    expect(secretLiterals(documents, texts)).toEqual([]);
  }),
  rule('no ingress is open to 0.0.0.0/0', (m) => {
    const rules = Object.values(local(m, 'nsg_rules') as Record<string, Body[]>).flat();
    const standalone = Object.values(resourcesOf(m, 'azurerm_network_security_rule'));
    expect(rules.length).toBeGreaterThan(5);
    expect(standalone).toEqual([]);
    expect(
      dynamicBlock(resource(m, 'azurerm_network_security_group', 'nsg'), 'security_rule').content
        .source_address_prefix,
    ).toBe('${length(security_rule.value.sources) == 1 ? security_rule.value.sources[0] : null}');
    for (const r of rules) {
      if (r.direction !== 'Inbound' || r.access !== 'Allow') continue;
      for (const source of asBodies(r.sources).map(String)) {
        expect(openSources.has(source.toLowerCase()), `${String(r.name)}: ${source}`).toBe(false);
      }
    }
    for (const file of Object.keys(m.documents)) {
      for (const { path, value } of strings(m.documents[file])) {
        if (value === '0.0.0.0/0' || value === '0.0.0.0') throw new Error(`${file}${path} opens ${value}`);
      }
    }
    expect(resourcesOf(m, 'azurerm_postgresql_flexible_server_firewall_rule')).toEqual({});
  }),
  rule('no public network access in production', (m) => {
    let checked = 0;
    for (const [type, byName] of Object.entries(m.resources)) {
      for (const [name, body] of Object.entries(byName)) {
        for (const attribute of ['public_network_access_enabled', 'public_network_access']) {
          if (!(attribute in body) || publicByDesign.has(`${type}.${name}`) || siteDeniesAll(body)) continue;
          checked++;
          if (storageOnlyWithTokens(m, type, body)) continue;
          expect(evaluate(m, 'prod', body[attribute]), `${type}.${name}.${attribute}`).toSatisfy(
            (v: unknown) => v === false || v === 'Disabled',
          );
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    for (const env of environments.filter((e) => e !== 'dev')) {
      expect(variableValue(m, env, 'public_network_access_enabled'), env).toBe(false);
    }
  }),
];

/** Attribute names whose literal value would be a credential. */
const credentialKey =
  /(password|secret|access_key|account_key|api_key|client_secret|connection_string|sas_token|primary_key)$/i;

/** Shapes of credentials in any string: storage keys, SAS, private keys, URLs with passwords… */
const credentialValue = [
  /AccountKey=/i,
  /SharedAccessSignature=|[?&]sig=/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(postgres(ql)?|rediss?|amqps?|mongodb(\+srv)?):\/\/[^:\s/]*:[^@\s$]+@/i,
  /InstrumentationKey=[0-9a-f]{8}-/i,
];

/** A long base64 run mixing digits and both cases: the shape of an account key or token. */
function containsKey(text: string): boolean {
  return [...text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)].some(
    ([run]) => /\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run),
  );
}

/** Findings of credential-looking literals in parsed documents and in raw texts. */
export function secretLiterals(documents: Record<string, unknown>, texts: Record<string, string>): string[] {
  const findings: string[] = [];
  for (const [file, doc] of Object.entries(documents)) {
    for (const { path, value } of strings(doc)) {
      const key = path.endsWith('#key') ? '' : (path.split('.').pop() ?? '').replace(/\[\d+\]$/, '');
      const literal = value !== '' && !value.includes('${');
      if (literal && credentialKey.test(key)) findings.push(`${file}${path}`);
      // A Key Vault secret's value comes from a resource or an ephemeral value, never the source.
      const secretValue = path.includes('azurerm_key_vault_secret') || path.includes('.sensitive_body.');
      if (literal && /^value(_wo)?$/.test(key) && secretValue) findings.push(`${file}${path}`);
    }
  }
  for (const [file, text] of Object.entries(texts)) {
    for (const pattern of credentialValue)
      if (pattern.test(text)) findings.push(`${file} matches ${String(pattern)}`);
    if (containsKey(text)) findings.push(`${file} contains a key-shaped string`);
  }
  return findings;
}
