// Every refusal is audited, in one place: a 401 or 403, and a 404 that hides someone else's
// object (errors.notYours), become `denied` entries naming the caller and the path they tried
// (OWASP API1/API5: refused access must leave a trace, not only the successes).
import type { FastifyRequest } from 'fastify';
import type { AuditEntry, AuditLog } from '../platform/audit/audit-log.js';
import { isAppError, type AppError } from '../platform/errors/app-error.js';
import type { App } from './app-types.js';

/** The audit entry of a refused request; `operation` defaults to `http.{method}`. */
export function refusalEntry(request: FastifyRequest, error: AppError, operation?: string): AuditEntry {
  return {
    actor: request.principal?.id ?? null,
    clientIp: request.ip,
    operation: operation ?? `http.${request.method.toLowerCase()}`,
    target: request.url.split('?')[0] ?? request.url,
    outcome: 'denied',
    bytes: null,
    correlationId: request.id,
    detail: `${error.status} ${error.detail ?? error.title}`,
    at: new Date(),
  };
}

/** Records refusals before the problem is sent; an audit sink that fails is logged, not answered. */
export function registerRefusalAudit(app: App, audit: AuditLog): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!isAppError(error) || !error.refusal) return;
    await audit.record(refusalEntry(request, error)).catch((failure: unknown) => {
      request.log.error({ err: failure }, 'audit record of a refusal failed');
    });
  });
}
