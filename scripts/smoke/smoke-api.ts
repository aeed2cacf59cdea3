// The smoke test's HTTP client: every call carries the test identity (a bearer token in
// AUTH_MODE=jwt, nothing in AUTH_MODE=none) and a correlation id, and fails loudly on an
// unexpected status, naming the call.
import { randomUUID } from 'node:crypto';

export interface SmokeTarget {
  /** The deployment's base URL, without a trailing slash. */
  base: string;
  /** Bearer token for AUTH_MODE=jwt deployments. */
  token?: string;
}

export interface Api {
  readonly target: SmokeTarget;
  call(method: string, path: string, body?: unknown, expected?: number): Promise<Response>;
  /** A GET of a full URL (a signed or share link) without the test identity, as a stranger. */
  follow(url: string, expected?: number): Promise<Response>;
}

const timeout = () => AbortSignal.timeout(30_000);

async function expectStatus(response: Response, expected: number, what: string): Promise<Response> {
  if (response.status === expected) return response;
  const text = (await response.text()).slice(0, 300);
  throw new Error(`${what}: expected ${expected}, got ${response.status} ${text}`);
}

export function createApi(target: SmokeTarget): Api {
  return {
    target,
    async call(method, path, body, expected = 200) {
      const headers: Record<string, string> = { 'x-correlation-id': `smoke-${randomUUID()}` };
      if (target.token) headers.authorization = `Bearer ${target.token}`;
      const init: RequestInit = { method, headers, signal: timeout() };
      if (body instanceof FormData) init.body = body;
      else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      return expectStatus(await fetch(`${target.base}${path}`, init), expected, `${method} ${path}`);
    },
    async follow(url, expected = 200) {
      const shown = url.replace(/\?.*$/, '?…');
      return expectStatus(await fetch(url, { signal: timeout() }), expected, `GET ${shown}`);
    },
  };
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Polls `read` until `done` says so or `seconds` pass; the last value is returned either way. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  seconds: number,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
