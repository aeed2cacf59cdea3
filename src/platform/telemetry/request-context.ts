// Per-request context carried through async calls, so any log line or outgoing call made
// while serving a request knows its correlation id without it being passed by hand.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  correlationId: string;
  /** Authenticated caller, when there is one (set by the auth layer once it knows). */
  principalId?: string;
  clientIp?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
};
