// Calls the API: the bearer token on every request, problem+json turned into one error type,
// and uploads through XMLHttpRequest because fetch cannot report upload progress.
import { apiUrl } from './config.js';
import { session } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ?? title);
  }
}

async function headers(extra: HeadersInit = {}): Promise<Headers> {
  const result = new Headers(extra);
  const token = await session.token();
  if (token !== undefined) result.set('authorization', `Bearer ${token}`);
  return result;
}

async function problemOf(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await response.json()) as { title?: string; detail?: string };
    return new ApiError(response.status, body.title ?? response.statusText, body.detail);
  }
  return new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
}

/** A fetch to the API that throws ApiError on a non-2xx answer. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(apiUrl(path), { ...init, headers: await headers(init.headers) });
  if (!response.ok) throw await problemOf(response);
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const response = await request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return response.status === 204 ? undefined : ((await response.json()) as T);
}

/** Adds the caller's userId (AUTH_MODE=none) to a path's query. */
export function withUser(path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(query);
  if (session.mode === 'none' && session.user) params.set('userId', session.user.id);
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/** POSTs a multipart form, reporting upload progress (0–1). */
export async function upload<T>(
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
): Promise<T> {
  const auth = await headers();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path));
    auth.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const body = xhr.responseText === '' ? {} : (JSON.parse(xhr.responseText) as unknown);
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        const problem = body as { title?: string; detail?: string };
        reject(new ApiError(xhr.status, problem.title ?? xhr.statusText, problem.detail));
      }
    });
    xhr.addEventListener('error', () =>
      reject(new ApiError(0, 'Network error', 'The upload did not reach the API.')),
    );
    xhr.send(form);
  });
}

/** Fetches with the caller's credentials and saves the body as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const errorText = (error: unknown): string =>
  error instanceof ApiError ? `${error.title}${error.detail ? `: ${error.detail}` : ''}` : String(error);
