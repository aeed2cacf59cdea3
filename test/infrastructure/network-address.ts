// IPv4 prefixes as numbers, and what an NSG rule's address entry matches: a prefix, `*`, or the
// service tags VirtualNetwork and Internet (Azure's meaning: inside the VNet's space, or not).

export interface Cidr {
  base: number;
  bits: number;
}

/** Where traffic comes from or goes to: a subnet's range, or somewhere on the internet. */
export type Address = { kind: 'range'; cidr: Cidr } | { kind: 'internet' };

export function parseCidr(text: string): Cidr {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`not an IPv4 prefix: ${text}`);
  const [a, b, c, d, bits] = match.slice(1).map(Number) as [number, number, number, number, number];
  return { base: ((a * 256 + b) * 256 + c) * 256 + d, bits };
}

/** `inner` lies wholly inside `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  if (inner.bits < outer.bits) return false;
  const size = 2 ** (32 - outer.bits);
  return Math.floor(inner.base / size) === Math.floor(outer.base / size);
}

/** Whether an NSG address entry covers the address, for a VNet with address space `vnet`. */
export function entryMatches(entry: string, address: Address, vnet: Cidr): boolean {
  const tag = entry.toLowerCase();
  if (tag === '*' || tag === 'any') return true;
  if (tag === 'internet') return address.kind === 'internet';
  if (tag === 'virtualnetwork') return address.kind === 'range' && within(address.cidr, vnet);
  if (address.kind === 'internet') return tag === '0.0.0.0/0';
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(entry)) return false;
  return within(address.cidr, parseCidr(entry));
}

export function portMatches(entry: string, port: number): boolean {
  if (entry === '*') return true;
  const [low, high = low] = entry.split('-').map(Number) as [number, number?];
  return port >= low && port <= high;
}
