// Caps the long-lived connections (event streams and WebSockets together) one client holds open at
// once, so one caller cannot exhaust an instance's sockets. The client is the token's subject when
// there is one, else the address (behind a trusted proxy, the forwarded one). Per instance.
import type { FastifyRequest } from 'fastify';
import type { App } from './app-types.js';

declare module 'fastify' {
  interface FastifyInstance {
    streamSlots: StreamSlots;
  }
}

export interface StreamSlots {
  readonly maxPerClient: number;
  /** Takes a slot for the request's client: a release function, or undefined when none is free. */
  take(request: FastifyRequest): (() => void) | undefined;
}

export function createStreamSlots(maxPerClient: number): StreamSlots {
  const held = new Map<string, number>();
  return {
    maxPerClient,
    take(request) {
      const client = request.principal === null ? `ip:${request.ip}` : `sub:${request.principal.id}`;
      const count = held.get(client) ?? 0;
      if (count >= maxPerClient) return undefined;
      held.set(client, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(client) ?? 1) - 1;
        if (left === 0) held.delete(client);
        else held.set(client, left);
      };
    },
  };
}

export function registerStreamSlots(app: App, maxPerClient: number): void {
  app.decorate('streamSlots', createStreamSlots(maxPerClient));
}
