// GET /admin/audit-log: the latest audit entries (storage operations, SAS issuance), admins only.
import Type from 'typebox';
import type { AuditLogReader } from '../platform/audit/audit-log.js';
import type { App } from './app-types.js';
import { access } from './caller.js';
import { problemResponses } from './problem.js';

const AuditEntries = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String({ format: 'date-time' }),
      actor: Type.Union([Type.String(), Type.Null()]),
      clientIp: Type.Union([Type.String(), Type.Null()]),
      operation: Type.String(),
      target: Type.String(),
      outcome: Type.String(),
      bytes: Type.Union([Type.Integer(), Type.Null()]),
      correlationId: Type.Union([Type.String(), Type.Null()]),
      detail: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export function registerAuditLogRoute(app: App, deps: { auditLog: AuditLogReader }) {
  const admin = access(app, 'admin');
  app.get(
    '/admin/audit-log',
    {
      preHandler: admin.preHandler,
      schema: {
        tags: ['admin'],
        summary: 'The latest audit-log entries, newest first',
        ...admin.schema,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: AuditEntries, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const entries = await deps.auditLog.latest(request.query.limit ?? 50);
      return { items: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) };
    },
  );
}
