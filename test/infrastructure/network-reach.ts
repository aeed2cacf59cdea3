// Who reaches what in a NetworkModel: NSG evaluation as Azure does it (rules by priority, first
// match wins, then the default rules), outbound paths (NAT gateway or default outbound access),
// and name resolution (a linked private zone sends VNet clients to the private endpoint; without
// it they resolve the public endpoint).
import { entryMatches, portMatches, type Address } from './network-address.js';
import type { NetworkModel, NsgRule } from './network-model.js';

/** Where a caller sits: in one of the VNet's subnets, or on the internet (hosted agents, browsers). */
export type Caller = { subnet: string } | 'internet';

/** Azure's default rules, below every custom rule. */
const defaultRules: NsgRule[] = [
  rule('AllowVnetInBound', 65000, 'Inbound', 'Allow', ['VirtualNetwork'], ['VirtualNetwork']),
  rule('DenyAllInBound', 65500, 'Inbound', 'Deny', ['*'], ['*']),
  rule('AllowVnetOutBound', 65000, 'Outbound', 'Allow', ['VirtualNetwork'], ['VirtualNetwork']),
  rule('AllowInternetOutBound', 65001, 'Outbound', 'Allow', ['*'], ['Internet']),
  rule('DenyAllOutBound', 65500, 'Outbound', 'Deny', ['*'], ['*']),
];

function rule(
  name: string,
  priority: number,
  direction: NsgRule['direction'],
  access: NsgRule['access'],
  sources: string[],
  destinations: string[],
): NsgRule {
  return { name, priority, direction, access, protocol: '*', sources, destinations, ports: ['*'] };
}

function addressOf(model: NetworkModel, subnet: string): Address {
  const found = model.subnets[subnet];
  if (!found) throw new Error(`subnet ${subnet} does not exist in ${model.env}`);
  return { kind: 'range', cidr: found.cidr };
}

/** The verdict of one subnet's NSG for a TCP flow in one direction. */
function nsgAllows(
  model: NetworkModel,
  subnet: string,
  direction: NsgRule['direction'],
  flow: { from: Address; to: Address; port: number },
): boolean {
  const group = model.subnets[subnet]?.nsg;
  const custom = group === undefined ? [] : (model.nsgs[group] ?? []);
  const rules = [...custom, ...defaultRules]
    .filter((r) => r.direction === direction && (r.protocol === '*' || r.protocol.toLowerCase() === 'tcp'))
    .sort((a, b) => a.priority - b.priority);
  const match = rules.find(
    (r) =>
      r.sources.some((s) => entryMatches(s, flow.from, model.vnet)) &&
      r.destinations.some((d) => entryMatches(d, flow.to, model.vnet)) &&
      r.ports.some((p) => portMatches(p, flow.port)),
  );
  return match?.access === 'Allow';
}

/** A TCP flow between two subnets passes the source's outbound and the target's inbound rules. */
export function subnetReaches(model: NetworkModel, from: string, to: string, port: number): boolean {
  if (!model.subnets[to]) return false;
  const flow = { from: addressOf(model, from), to: addressOf(model, to), port };
  return nsgAllows(model, from, 'Outbound', flow) && nsgAllows(model, to, 'Inbound', flow);
}

/** A subnet reaches the internet on a port: its NSG lets the flow out and it has a way out. */
export function reachesInternet(model: NetworkModel, from: string, port: number): boolean {
  const subnet = model.subnets[from];
  if (!subnet) return false;
  const flow = { from: addressOf(model, from), to: { kind: 'internet' } as const, port };
  return nsgAllows(model, from, 'Outbound', flow) && (subnet.nat || subnet.defaultOutbound);
}

/** A caller reaches a data service on a port, through the path its DNS answer gives it. */
export function reachesService(model: NetworkModel, caller: Caller, service: string, port: number): boolean {
  const target = model.services[service];
  if (!target) throw new Error(`no service ${service}`);
  if (caller === 'internet') return target.publicOpen;
  if (!model.subnets[caller.subnet]) return false;
  if (target.privateSubnet !== undefined && target.privateDns)
    return subnetReaches(model, caller.subnet, target.privateSubnet, port);
  return target.publicOpen && reachesInternet(model, caller.subnet, port);
}
