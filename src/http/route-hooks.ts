// Per-request work a route does not need is not hooked onto it: the foundation's hooks that only
// some routes use are added to each route as it is registered (from an onRoute hook), rather than
// run for every request to find out. They run after the app-wide hooks and before the route's
// own (as app-wide hooks would), in the order they were added.
import type { RouteOptions } from 'fastify';

type HookName = 'onRequest' | 'preHandler' | 'onSend';

const foundationHooks = new WeakSet<object>();

/** Adds `hook` to the route's `name` hooks, after the foundation's earlier ones, before the route's own. */
export function addRouteHook(route: RouteOptions, name: HookName, hook: (...args: never[]) => void): void {
  foundationHooks.add(hook);
  const hooks = route as unknown as Record<HookName, unknown>;
  const existing = hooks[name];
  const list: unknown[] =
    existing === undefined ? [] : Array.isArray(existing) ? [...(existing as unknown[])] : [existing];
  let at = 0;
  while (at < list.length && foundationHooks.has(list[at] as object)) at += 1;
  list.splice(at, 0, hook);
  hooks[name] = list;
}

/** GET and HEAD requests have no body: Fastify never parses one for them. */
export function takesBody(route: Pick<RouteOptions, 'method'>): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.some((method) => method !== 'GET' && method !== 'HEAD');
}
