// The table of who must reach what, and what must never be reached, checked against the
// NetworkModel of each environment. Every row is a named test (network-model.test.ts).
import { environments, type EnvironmentName } from './terraform-model.js';
import type { NetworkModel } from './network-model.js';
import { reachesInternet, reachesService, type Caller } from './network-reach.js';

export interface Need {
  name: string;
  /** Environments the row applies to. */
  environments: readonly EnvironmentName[];
  /** Throws (with a reason) when the network does not do what the row says. */
  check: (model: NetworkModel) => void;
}

const everywhere = environments;
const privateTiers = ['staging', 'prod'] as const;

/** The subnet a web app joins (VNet integration), or a failure naming the app. */
function appCaller(model: NetworkModel, app: string): Caller {
  const subnet = model.webApps[app]?.subnet;
  if (subnet === undefined) throw new Error(`${app} is not integrated with a subnet`);
  return { subnet };
}

function expectReach(reached: boolean, what: string): void {
  if (!reached) throw new Error(`${what}: no path`);
}

function expectNoReach(reached: boolean, what: string): void {
  if (reached) throw new Error(`${what}: reachable`);
}

/** What the API (and its slot) and the worker call: seed 004's private services and SaaS HTTPS. */
const appTargets: [string, string, number][] = [
  ['PostgreSQL through PgBouncer (6432)', 'postgres', 6432],
  ['PostgreSQL directly (5432)', 'postgres', 5432],
  ['Redis (10000)', 'redis', 10000],
  ['Key Vault (443)', 'keyvault', 443],
  ['Blob Storage (443)', 'blob', 443],
  ['Table Storage (443)', 'table', 443],
  ['Azure OpenAI (443)', 'openai', 443],
];

function appNeeds(app: string, tiers: readonly EnvironmentName[]): Need[] {
  return [
    ...appTargets.map(([label, service, port]) => ({
      name: `${app} reaches ${label}`,
      environments: tiers,
      check: (model: NetworkModel) =>
        expectReach(reachesService(model, appCaller(model, app), service, port), `${app} -> ${service}`),
    })),
    {
      name: `${app} reaches SaaS APIs over HTTPS through the NAT gateway`,
      environments: tiers,
      check: (model) => {
        const caller = appCaller(model, app);
        if (caller === 'internet') throw new Error(`${app} has no subnet`);
        expectReach(reachesInternet(model, caller.subnet, 443), `${app} -> internet:443`);
      },
    },
  ];
}

/** The migration runner of each pipeline, in its own subnet (runners.tf). */
const runners: [string, string][] = [
  ['the GitHub migration runner', 'github_runners'],
  ['the Azure DevOps migration runner', 'devops_pool'],
];

function runnerNeeds(label: string, subnet: string): Need[] {
  const caller = { subnet };
  return [
    {
      name: `${label} sits in its own subnet in staging and production`,
      environments: privateTiers,
      check: (model) => {
        if (!model.subnets[subnet]) throw new Error(`${subnet} does not exist in ${model.env}`);
      },
    },
    {
      name: `${label} reaches PostgreSQL directly (5432)`,
      environments: privateTiers,
      check: (model) => expectReach(reachesService(model, caller, 'postgres', 5432), `${subnet} -> postgres`),
    },
    {
      name: `${label} reaches Key Vault (443) for the migration URL`,
      environments: privateTiers,
      check: (model) => expectReach(reachesService(model, caller, 'keyvault', 443), `${subnet} -> keyvault`),
    },
    {
      name: `${label} reaches GitHub, Azure DevOps and npm over HTTPS`,
      environments: privateTiers,
      check: (model) => expectReach(reachesInternet(model, subnet, 443), `${subnet} -> internet:443`),
    },
  ];
}

export const needs: Need[] = [
  ...appNeeds('api', everywhere),
  ...appNeeds('worker', everywhere),
  ...appNeeds('staging slot', ['prod']),
  ...runners.flatMap(([label, subnet]) => runnerNeeds(label, subnet)),
  {
    name: 'the Terraform runner (a hosted agent) reaches the data plane of every resource it manages',
    environments: everywhere,
    check: (model) => {
      const blocked = model.terraformDataPlane.filter(
        (call) => !(model.services[call.service] && reachesService(model, 'internet', call.service, 443)),
      );
      if (blocked.length > 0)
        throw new Error(`unreachable from a hosted agent: ${blocked.map((c) => c.resource).join(', ')}`);
    },
  },
  ...['api', 'worker', 'staging slot'].map((app) => ({
    name: `CI deploy (a hosted agent) reaches the ${app}'s deployment (SCM) endpoint`,
    environments: app === 'staging slot' ? (['prod'] as const) : everywhere,
    check: (model: NetworkModel) => {
      if (!model.webApps[app]?.scmOpen) throw new Error(`${app}'s SCM endpoint is closed`);
    },
  })),
  {
    name: 'the console in a browser reaches Blob Storage for SAS links, its origin allowed by CORS',
    environments: everywhere,
    check: (model) => {
      expectReach(reachesService(model, 'internet', 'blob', 443), 'browser -> blob');
      const missing = model.consoleOrigins.filter((o) => !model.storageCorsOrigins.includes(o));
      if (missing.length > 0) throw new Error(`CORS does not allow ${missing.join(', ')}`);
    },
  },
  {
    name: 'the internet reaches the API',
    environments: everywhere,
    check: (model) => {
      if (!model.webApps.api?.siteOpen) throw new Error('the API is closed');
    },
  },
];

export const nevers: Need[] = [
  {
    name: 'the internet never reaches PostgreSQL',
    environments: everywhere,
    check: (model) => {
      for (const port of [5432, 6432])
        expectNoReach(reachesService(model, 'internet', 'postgres', port), 'postgres');
    },
  },
  {
    name: 'the internet never reaches Redis in staging and production',
    environments: privateTiers,
    check: (model) => expectNoReach(reachesService(model, 'internet', 'redis', 10000), 'redis'),
  },
  {
    name: 'the internet never reaches Key Vault in staging and production',
    environments: privateTiers,
    check: (model) => expectNoReach(reachesService(model, 'internet', 'keyvault', 443), 'keyvault'),
  },
  {
    name: "the internet never reaches the worker's site",
    environments: everywhere,
    check: (model) => {
      if (model.webApps.worker?.siteOpen) throw new Error("the worker's site is open");
    },
  },
  {
    name: 'no subnet admits traffic from the internet',
    environments: everywhere,
    check: (model) => {
      for (const [name, subnet] of Object.entries(model.subnets)) {
        const rules = subnet.nsg === undefined ? [] : (model.nsgs[subnet.nsg] ?? []);
        const open = rules.filter(
          (r) =>
            r.direction === 'Inbound' &&
            r.access === 'Allow' &&
            r.sources.some((s) => ['*', 'internet', '0.0.0.0/0', 'any'].includes(s.toLowerCase())),
        );
        if (open.length > 0)
          throw new Error(`${name} admits the internet: ${open.map((r) => r.name).join(', ')}`);
      }
    },
  },
];

/** Every row, as `[name, environment]` pairs for a test table. */
export function cases(rows: Need[]): { name: string; env: EnvironmentName; row: Need }[] {
  return rows.flatMap((row) => row.environments.map((env) => ({ name: row.name, env, row })));
}
