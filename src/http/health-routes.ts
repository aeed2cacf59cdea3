// Probes. /health reports every dependency with its driver; liveness touches nothing; readiness
// (and its alias /health/ready) is 200 only when ready and every dependency the role needs answers:
// the required ones (database, storage) and those that gate readiness (Redis, when configured).
// Probes are never rate-limited: a throttled probe would take a healthy instance out of rotation.
import Type from 'typebox';
import type { HealthRegistry } from '../platform/health/health-registry.js';
import type { Lifecycle } from '../platform/health/lifecycle.js';
import type { App } from './app-types.js';

const Status = Type.Enum(['healthy', 'degraded', 'unhealthy']);

const DependencyReport = Type.Object({
  status: Status,
  driver: Type.String(),
  required: Type.Boolean(),
  gatesReadiness: Type.Boolean(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

const HealthReport = Type.Object({
  status: Status,
  version: Type.String(),
  environment: Type.String(),
  uptimeSeconds: Type.Number(),
  dependencies: Type.Record(Type.String(), DependencyReport),
});

const Readiness = Type.Object({
  status: Type.Enum(['ready', 'starting', 'draining', 'unavailable']),
  dependencies: Type.Record(Type.String(), DependencyReport),
});

export function registerHealthRoutes(
  app: App,
  deps: {
    health: HealthRegistry;
    lifecycle: Lifecycle;
    version: string;
    environment: string;
  },
) {
  // Probes read no caller and are never limited: no auth or rate-limit hook runs for them.
  const config = { rateLimit: false, anonymous: true } as const;

  app.get(
    '/health',
    {
      config,
      schema: {
        tags: ['health'],
        summary: 'Overall status and every dependency',
        response: { 200: HealthReport, 503: HealthReport },
      },
    },
    async (_request, reply) => {
      const report = await deps.health.report();
      return reply.code(report.status === 'unhealthy' ? 503 : 200).send({
        status: report.status,
        version: deps.version,
        environment: deps.environment,
        uptimeSeconds: Math.round(process.uptime()),
        dependencies: report.dependencies,
      });
    },
  );

  app.get(
    '/health/liveness',
    {
      config,
      schema: {
        tags: ['health'],
        summary: 'The process is alive (checks no dependency)',
        response: { 200: Type.Object({ status: Type.Literal('alive') }) },
      },
    },
    () => ({ status: 'alive' as const }),
  );

  const readiness = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    if (deps.lifecycle.state !== 'ready') {
      return reply.code(503).send({ status: deps.lifecycle.state, dependencies: {} });
    }
    const { ready, dependencies } = await deps.health.readiness();
    // The lifecycle may have moved to draining while the checks ran.
    const state = deps.lifecycle.state as string;
    if (state !== 'ready') return reply.code(503).send({ status: state, dependencies });
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', dependencies });
  };
  for (const url of ['/health/readiness', '/health/ready']) {
    app.get(
      url,
      {
        config,
        schema: {
          tags: ['health'],
          summary: 'Ready for traffic: started, not draining, every dependency it needs answering',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      readiness,
    );
  }
}
