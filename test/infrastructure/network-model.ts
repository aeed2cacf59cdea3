// The network as the Terraform files build it, for one environment: subnets (which exist, their
// NSG, NAT gateway or default outbound), NSG rules with priorities and directions, private
// endpoints with their DNS zones and VNet links, each service's public access and network ACL,
// the web apps' front and deployment (SCM) endpoints, and the data planes Terraform itself calls.
// Read from the parsed files (terraform-model.ts), so a changed file changes the model; an
// expression this reader does not know throws instead of guessing.
import {
  asBodies,
  block,
  evaluate,
  local,
  resource,
  resourcesOf,
  variableValue,
  type Body,
  type EnvironmentName,
  type TerraformModel,
} from './terraform-model.js';
import { parseCidr, type Cidr } from './network-address.js';

export interface Subnet {
  name: string;
  cidr: Cidr;
  /** The NSG associated with it, if any (Azure's default rules apply either way). */
  nsg: string | undefined;
  nat: boolean;
  defaultOutbound: boolean;
  delegation: string | undefined;
}

export interface NsgRule {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol: string;
  sources: string[];
  destinations: string[];
  ports: string[];
}

/** A data service: how the VNet reaches it privately and whether the internet reaches it. */
export interface Service {
  name: string;
  /** Subnet of its private endpoint or delegated subnet; undefined: none. */
  privateSubnet: string | undefined;
  /** The private DNS zone that makes its name resolve privately exists and is linked to the VNet. */
  privateDns: boolean;
  /** Public endpoint on and its network ACL admits any address. */
  publicOpen: boolean;
}

export interface WebApp {
  name: string;
  subnet: string | undefined;
  siteOpen: boolean;
  scmOpen: boolean;
}

/** A call Terraform makes to a service's data plane (not ARM) while planning or applying. */
export interface DataPlaneCall {
  resource: string;
  service: string;
}

export interface NetworkModel {
  env: EnvironmentName;
  vnet: Cidr;
  subnets: Record<string, Subnet>;
  nsgs: Record<string, NsgRule[]>;
  services: Record<string, Service>;
  webApps: Record<string, WebApp>;
  terraformDataPlane: DataPlaneCall[];
  /** Origins allowed by Blob Storage CORS. */
  storageCorsOrigins: string[];
  /** Origins of the console (var.api_cors_origins). */
  consoleOrigins: string[];
}

const wholeExpression = /^\$\{([\s\S]*)\}$/;
const expressionOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? wholeExpression.exec(value)?.[1]?.trim() : undefined;

/** cidrsubnet(var.vnet_address_space, 8, n) for the /16 the VNet uses: its n-th /24. */
function subnetPrefix(m: TerraformModel, env: EnvironmentName, expression: unknown): Cidr {
  const match = /^cidrsubnet\(var\.vnet_address_space, (\d+), (\d+)\)$/.exec(expressionOf(expression) ?? '');
  if (!match?.[1] || !match[2]) throw new Error(`cannot read subnet prefix ${String(expression)}`);
  const vnet = parseCidr(String(variableValue(m, env, 'vnet_address_space')));
  const bits = vnet.bits + Number(match[1]);
  const base = vnet.base + Number(match[2]) * 2 ** (32 - bits);
  return { base, bits };
}

/** A value of an NSG rule list: literals, local.x, local.x.y, tostring(local.x), cidr prefixes. */
function resolveList(m: TerraformModel, env: EnvironmentName, value: unknown): string[] {
  const expression = expressionOf(value);
  if (expression !== undefined && /^local\.[a-z0-9_]+$/.test(expression))
    return resolveList(m, env, local(m, expression.slice('local.'.length)));
  if (!Array.isArray(value)) throw new Error(`cannot read NSG list ${String(value)}`);
  return value.map((item) => resolveScalar(m, env, item));
}

function resolveScalar(m: TerraformModel, env: EnvironmentName, value: unknown): string {
  const expression = expressionOf(value);
  if (expression === undefined) return String(value);
  const prefix = /^local\.subnet_prefixes\.([a-z0-9_]+)$/.exec(expression)?.[1];
  if (prefix) {
    const cidr = subnetPrefix(m, env, (local(m, 'subnet_prefixes') as Body)[prefix]);
    return cidrText(cidr);
  }
  const text = /^tostring\(local\.([a-z0-9_]+)\)$/.exec(expression)?.[1];
  if (text) return String(local(m, text));
  return String(evaluate(m, env, value));
}

function cidrText(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.bits}`;
}

const enabledFilter = '${{ for name, subnet in local.subnets : name => subnet if subnet.enabled }}';
const natFilter = '${{ for name, subnet in local.enabled_subnets : name => subnet if subnet.nat }}';

/** Names of the subnets azurerm_subnet.subnet creates in this environment. */
function existingSubnets(m: TerraformModel, env: EnvironmentName): string[] {
  const declared = local(m, 'subnets') as Record<string, Body>;
  const forEach = resource(m, 'azurerm_subnet', 'subnet').for_each;
  if (forEach === '${local.subnets}') return Object.keys(declared);
  if (forEach !== '${local.enabled_subnets}' || local(m, 'enabled_subnets') !== enabledFilter)
    throw new Error(`cannot read the subnets' for_each ${String(forEach)}`);
  return Object.keys(declared).filter((name) => evaluate(m, env, declared[name]?.enabled) === true);
}

/** Subnets the NAT gateway association covers (a literal set or the `nat` flag filter). */
function natSubnets(m: TerraformModel): (name: string) => boolean {
  const forEach = resource(m, 'azurerm_subnet_nat_gateway_association', 'integration').for_each;
  const literal = /^\$\{toset\((\[.*\])\)\}$/.exec(String(forEach))?.[1];
  if (literal) return (name) => (JSON.parse(literal) as string[]).includes(name);
  if (forEach !== natFilter) throw new Error(`cannot read the NAT association's for_each ${String(forEach)}`);
  const declared = local(m, 'subnets') as Record<string, Body>;
  return (name) => declared[name]?.nat === true;
}

function subnetsOf(m: TerraformModel, env: EnvironmentName): Record<string, Subnet> {
  const declared = local(m, 'subnets') as Record<string, Body>;
  const prefixes = local(m, 'subnet_prefixes') as Body;
  const subnet = resource(m, 'azurerm_subnet', 'subnet');
  const association = resource(m, 'azurerm_subnet_network_security_group_association', 'subnet');
  const guarded = association.for_each === subnet.for_each;
  const nat = natSubnets(m);
  const defaultOutbound = evaluate(m, env, subnet.default_outbound_access_enabled ?? true) === true;
  const subnets: Record<string, Subnet> = {};
  for (const name of existingSubnets(m, env)) {
    const entry = declared[name] ?? {};
    const delegation = expressionOf(entry.delegation);
    subnets[name] = {
      name,
      cidr: subnetPrefix(m, env, prefixes[name]),
      nsg: guarded ? String(entry.nsg) : undefined,
      nat: nat(name),
      defaultOutbound,
      delegation: delegation?.startsWith('local.')
        ? String((local(m, delegation.slice('local.'.length)) as Body).service)
        : undefined,
    };
  }
  return subnets;
}

function nsgsOf(m: TerraformModel, env: EnvironmentName): Record<string, NsgRule[]> {
  const groups = local(m, 'nsg_rules') as Record<string, Body[]>;
  const nsgs: Record<string, NsgRule[]> = {};
  for (const [group, rules] of Object.entries(groups)) {
    nsgs[group] = rules.map((r) => ({
      name: String(r.name),
      priority: Number(r.priority),
      direction: r.direction as NsgRule['direction'],
      access: r.access as NsgRule['access'],
      protocol: String(r.protocol),
      sources: resolveList(m, env, r.sources),
      destinations: resolveList(m, env, r.destinations),
      ports: resolveList(m, env, r.ports),
    }));
  }
  return nsgs;
}

/** Keys of local.private_endpoints whose endpoint has a zone that resolves inside the VNet. */
function privateEndpoints(
  m: TerraformModel,
): Record<string, { resourceId: string; subresource: string; dns: boolean }> {
  const endpoints = local(m, 'private_endpoints') as Record<string, Body>;
  const zones = local(m, 'private_dns_zones') as Record<string, string>;
  const pe = resource(m, 'azurerm_private_endpoint', 'pe');
  const zoneIds = block(pe, 'private_dns_zone_group').private_dns_zone_ids;
  const zoneGroup =
    JSON.stringify(zoneIds) === JSON.stringify(['${azurerm_private_dns_zone.zone[each.key].id}']);
  const link = resource(m, 'azurerm_private_dns_zone_virtual_network_link', 'zone');
  const linked =
    link.for_each === '${local.private_dns_zones}' &&
    link.virtual_network_id === '${azurerm_virtual_network.main.id}' &&
    resource(m, 'azurerm_private_dns_zone', 'zone').for_each === '${local.private_dns_zones}';
  const result: Record<string, { resourceId: string; subresource: string; dns: boolean }> = {};
  for (const [key, endpoint] of Object.entries(endpoints)) {
    result[key] = {
      resourceId: String(endpoint.resource_id),
      subresource: String(endpoint.subresource),
      dns: zoneGroup && linked && key in zones,
    };
  }
  return result;
}

function peSubnet(m: TerraformModel): string {
  const id = String(resource(m, 'azurerm_private_endpoint', 'pe').subnet_id);
  const name = /^\$\{azurerm_subnet\.subnet\["([a-z0-9_]+)"\]\.id\}$/.exec(id)?.[1];
  if (!name) throw new Error(`cannot read the private endpoints' subnet ${id}`);
  return name;
}

/** Public endpoint on and, where the service has one, its network ACL's default is Allow. */
function publicOpen(m: TerraformModel, env: EnvironmentName, body: Body, aclBlock?: string): boolean {
  const flag = evaluate(m, env, body.public_network_access_enabled ?? body.public_network_access ?? true);
  const open = flag === true || flag === 'Enabled';
  if (!open || aclBlock === undefined || !(aclBlock in body)) return open;
  return evaluate(m, env, block(body, aclBlock).default_action) === 'Allow';
}

/** Services reached through local.private_endpoints, by endpoint key. */
const endpointServices: Record<string, { type: string; name: string; subresource: string; acl?: string }> = {
  keyvault: { type: 'azurerm_key_vault', name: 'main', subresource: 'vault', acl: 'network_acls' },
  blob: { type: 'azurerm_storage_account', name: 'main', subresource: 'blob', acl: 'network_rules' },
  table: { type: 'azurerm_storage_account', name: 'main', subresource: 'table', acl: 'network_rules' },
  redis: { type: 'azurerm_managed_redis', name: 'main', subresource: 'redisEnterprise' },
  openai: { type: 'azurerm_cognitive_account', name: 'openai', subresource: 'account', acl: 'network_acls' },
};

function servicesOf(
  m: TerraformModel,
  env: EnvironmentName,
  subnets: Record<string, Subnet>,
): Record<string, Service> {
  const endpoints = privateEndpoints(m);
  const endpointSubnet = peSubnet(m);
  const services: Record<string, Service> = {};
  for (const [key, spec] of Object.entries(endpointServices)) {
    const body = resource(m, spec.type, spec.name);
    // The endpoint must connect this very resource (its id and sub-resource) to be its private path.
    const endpoint = endpoints[key];
    const connects =
      endpoint?.resourceId === `\${${spec.type}.${spec.name}.id}` &&
      endpoint.subresource === spec.subresource;
    services[key] = {
      name: key,
      privateSubnet: connects && endpointSubnet in subnets ? endpointSubnet : undefined,
      privateDns: connects && endpoint.dns,
      publicOpen: publicOpen(m, env, body, spec.acl),
    };
  }
  services.postgres = postgresService(m, env, subnets);
  return services;
}

/** PostgreSQL in a delegated subnet, resolved through its own linked private zone. */
function postgresService(m: TerraformModel, env: EnvironmentName, subnets: Record<string, Subnet>): Service {
  const server = resource(m, 'azurerm_postgresql_flexible_server', 'main');
  const subnet = /^\$\{azurerm_subnet\.subnet\["([a-z0-9_]+)"\]\.id\}$/.exec(
    String(server.delegated_subnet_id),
  )?.[1];
  const zone = /^\$\{azurerm_private_dns_zone\.zone\["([a-z0-9_]+)"\]\.id\}$/.exec(
    String(server.private_dns_zone_id),
  )?.[1];
  const zones = local(m, 'private_dns_zones') as Record<string, string>;
  const link = resource(m, 'azurerm_private_dns_zone_virtual_network_link', 'zone');
  const delegated =
    subnet !== undefined && subnets[subnet]?.delegation === 'Microsoft.DBforPostgreSQL/flexibleServers';
  return {
    name: 'postgres',
    privateSubnet: delegated ? subnet : undefined,
    privateDns: zone !== undefined && zone in zones && link.for_each === '${local.private_dns_zones}',
    publicOpen: publicOpen(m, env, server),
  };
}

function webAppsOf(m: TerraformModel, env: EnvironmentName): Record<string, WebApp> {
  const apps: Record<string, WebApp> = {};
  const candidates: [string, string, string][] = [
    ['api', 'azurerm_linux_web_app', 'api'],
    ['worker', 'azurerm_linux_web_app', 'worker'],
    ['staging slot', 'azurerm_linux_web_app_slot', 'staging'],
  ];
  for (const [label, type, name] of candidates) {
    const body = resource(m, type, name);
    if ('count' in body && Number(evaluate(m, env, body.count)) === 0) continue;
    const site = block(body, 'site_config');
    const open = evaluate(m, env, body.public_network_access_enabled ?? true) === true;
    const subnet = /^\$\{azurerm_subnet\.subnet\["([a-z0-9_]+)"\]\.id\}$/.exec(
      String(body.virtual_network_subnet_id),
    )?.[1];
    apps[label] = {
      name: label,
      subnet,
      siteOpen: open && (site.ip_restriction_default_action ?? 'Allow') === 'Allow',
      scmOpen: open && (site.scm_ip_restriction_default_action ?? 'Allow') === 'Allow',
    };
  }
  return apps;
}

/** Resource types whose provider calls a data plane, and the service it belongs to. */
const dataPlaneTypes: Record<string, string> = {
  azurerm_key_vault_secret: 'keyvault',
  azurerm_key_vault_key: 'keyvault',
  azurerm_key_vault_certificate: 'keyvault',
  azurerm_storage_blob: 'blob',
  azurerm_storage_data_lake_gen2_filesystem: 'blob',
  azurerm_storage_table_entity: 'table',
};

/** Storage children that go through ARM with storage_account_id and the data plane with a name. */
const storageChildren: Record<string, string> = {
  azurerm_storage_container: 'blob',
  azurerm_storage_queue: 'blob',
  azurerm_storage_share: 'blob',
  azurerm_storage_table: 'table',
};

function terraformDataPlaneOf(m: TerraformModel): DataPlaneCall[] {
  const calls: DataPlaneCall[] = [];
  for (const [type, byName] of Object.entries(m.resources)) {
    for (const name of Object.keys(byName)) {
      const body = byName[name] ?? {};
      const ref = `${type}.${name}`;
      const direct = dataPlaneTypes[type];
      if (direct) calls.push({ resource: ref, service: direct });
      const child = storageChildren[type];
      if (child && !('storage_account_id' in body)) calls.push({ resource: ref, service: child });
      if (type === 'azapi_data_plane_resource')
        calls.push({ resource: ref, service: dataPlaneService(body) });
    }
  }
  // azurerm_storage_account checks its data plane on refresh unless the provider is told not to.
  if (Object.keys(resourcesOf(m, 'azurerm_storage_account')).length > 0 && storageDataPlaneAvailable(m))
    calls.push({ resource: 'azurerm_storage_account.main', service: 'blob' });
  return calls;
}

function dataPlaneService(body: Body): string {
  const type = String(body.type);
  if (/KeyVault/i.test(type)) return 'keyvault';
  if (/Storage/i.test(type)) return 'blob';
  return `unmodelled data plane ${type}`;
}

function storageDataPlaneAvailable(m: TerraformModel): boolean {
  const provider = m.providers.azurerm ?? {};
  const storage = asBodies(block(provider, 'features').storage)[0];
  return storage?.data_plane_available !== false;
}

function corsOrigins(m: TerraformModel, env: EnvironmentName): string[] {
  const properties = block(resource(m, 'azurerm_storage_account', 'main'), 'blob_properties');
  const dynamic = asBodies(properties.dynamic)[0];
  const cors = asBodies(dynamic?.cors_rule)[0];
  if (!cors) return [];
  const origins = block(cors, 'content').allowed_origins;
  const forEach = String(cors.for_each);
  if (origins !== '${cors_rule.value}' || !forEach.includes('var.api_cors_origins')) return [];
  return variableValue(m, env, 'api_cors_origins') as string[];
}

export function buildNetwork(m: TerraformModel, env: EnvironmentName): NetworkModel {
  const subnets = subnetsOf(m, env);
  return {
    env,
    vnet: parseCidr(String(variableValue(m, env, 'vnet_address_space'))),
    subnets,
    nsgs: nsgsOf(m, env),
    services: servicesOf(m, env, subnets),
    webApps: webAppsOf(m, env),
    terraformDataPlane: terraformDataPlaneOf(m),
    storageCorsOrigins: corsOrigins(m, env),
    consoleOrigins: variableValue(m, env, 'api_cors_origins') as string[],
  };
}
