// The response headers an API needs (OWASP REST guidance): no framing, no sniffing, HSTS, a strict
// CSP (pages that need another, /docs and the console, set their own later in the request), no
// referrer, same-origin resources. Document-only headers are left off: they add bytes to every
// response and protect nothing a JSON answer can do. The values never change, so they are
// computed once and set in one hook, instead of a middleware recomputing them on every request.
import type { App } from './app-types.js';

export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

const entries = Object.entries(securityHeaders);

export function registerSecurityHeaders(app: App) {
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of entries) reply.header(name, value);
    done();
  });
}
