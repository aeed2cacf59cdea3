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

const nsg = (m: TerraformModel, name: string) => resource(m, 'azurerm_network_security_group', name);
const nsgRules = (body: Body) => asBodies(body.security_rule);

function findRule(m: TerraformModel, group: string, name: string): Body {
  const found = nsgRules(nsg(m, group)).find((r) => r.name === name);
  if (!found) throw new Error(`${group}-nsg has no rule ${name}`);
  return found;
}

const subnets = { app: '10.0.1.0/24', pe: '10.0.2.0/24', db: '10.0.3.0/24', mgmt: '10.0.4.0/24' };

/** Sources that mean "anyone on the internet". */
const openSources = new Set(['*', '0.0.0.0/0', '0.0.0.0', 'internet', 'any', '::/0']);

/** Resources facing the internet on purpose (the API and its slot serve public HTTPS). */
const publicByDesign = new Set(['azurerm_linux_web_app.api', 'azurerm_linux_web_app_slot.staging']);

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
      expect(resource(m, 'azurerm_subnet', name).address_prefixes).toEqual([
        `\${local.subnet_prefixes.${name}}`,
      ]);
    }
  }),
  rule('subnets are delegated to App Service and PostgreSQL', (m) => {
    const delegation = (name: string) =>
      block(block(resource(m, 'azurerm_subnet', name), 'delegation'), 'service_delegation').name;
    expect(delegation('app')).toBe('Microsoft.Web/serverFarms');
    expect(delegation('worker')).toBe('Microsoft.Web/serverFarms');
    expect(delegation('db')).toBe('Microsoft.DBforPostgreSQL/flexibleServers');
    expect(resource(m, 'azurerm_subnet', 'pe').private_endpoint_network_policies).toBe('Enabled');
  }),
  rule('app NSG allows VNet services and HTTPS out, denies the rest', (m) => {
    const vnet = findRule(m, 'app', 'AllowVNetOutbound');
    expect([vnet.direction, vnet.access]).toEqual(['Outbound', 'Allow']);
    expect(vnet.destination_port_ranges).toEqual(['443', '5432', '${tostring(local.redis_port)}']);
    const https = findRule(m, 'app', 'AllowHttpsInternetOutbound');
    expect([https.destination_address_prefix, https.destination_port_range]).toEqual(['Internet', '443']);
    const deny = findRule(m, 'app', 'DenyAllOutbound');
    expect([deny.direction, deny.access, deny.priority]).toEqual(['Outbound', 'Deny', 4096]);
  }),
  rule('PE and DB NSGs admit only the app subnets', (m) => {
    const pe = findRule(m, 'pe', 'AllowFromApp');
    expect(pe.source_address_prefixes).toBe('${local.app_source_prefixes}');
    expect(pe.destination_port_ranges).toEqual(['443', '${tostring(local.redis_port)}']);
    const db = findRule(m, 'db', 'AllowFromApp');
    expect([db.source_address_prefixes, db.destination_port_range]).toEqual([
      '${local.app_source_prefixes}',
      '5432',
    ]);
    for (const group of ['pe', 'db']) {
      const deny = findRule(m, group, 'DenyAll');
      expect([deny.direction, deny.access, deny.source_address_prefix], group).toEqual([
        'Inbound',
        'Deny',
        '*',
      ]);
    }
    for (const name of ['app', 'worker', 'pe', 'db', 'mgmt']) {
      expect(resource(m, 'azurerm_subnet_network_security_group_association', name).subnet_id).toBe(
        `\${azurerm_subnet.${name}.id}`,
      );
    }
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
    expect(pe.subnet_id).toBe('${azurerm_subnet.pe.id}');
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
    for (const name of ['app', 'worker']) {
      expect(resource(m, 'azurerm_subnet_nat_gateway_association', name).nat_gateway_id).toBe(
        '${azurerm_nat_gateway.main.id}',
      );
    }
    for (const name of ['app', 'worker', 'pe', 'db', 'mgmt']) {
      expect(resource(m, 'azurerm_subnet', name).default_outbound_access_enabled, name).toBe(false);
    }
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
    const inline = Object.values(resourcesOf(m, 'azurerm_network_security_group')).flatMap(nsgRules);
    const standalone = Object.values(resourcesOf(m, 'azurerm_network_security_rule'));
    expect(inline.length).toBeGreaterThan(5);
    for (const r of [...inline, ...standalone]) {
      if (r.direction !== 'Inbound' || r.access !== 'Allow') continue;
      const sources = [r.source_address_prefix, ...asBodies(r.source_address_prefixes)].filter(
        (s): s is string => typeof s === 'string',
      );
      for (const source of sources)
        expect(openSources.has(source.toLowerCase()), `${String(r.name)}: ${source}`).toBe(false);
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
          if (!(attribute in body) || publicByDesign.has(`${type}.${name}`)) continue;
          checked++;
          expect(evaluate(m, 'prod', body[attribute]), `${type}.${name}.${attribute}`).toSatisfy(
            (v: unknown) => v === false || v === 'Disabled',
          );
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
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
      if (literal && /^value(_wo)?$/.test(key) && path.includes('azurerm_key_vault_secret'))
        findings.push(`${file}${path}`);
    }
  }
  for (const [file, text] of Object.entries(texts)) {
    for (const pattern of credentialValue)
      if (pattern.test(text)) findings.push(`${file} matches ${String(pattern)}`);
    if (containsKey(text)) findings.push(`${file} contains a key-shaped string`);
  }
  return findings;
}
