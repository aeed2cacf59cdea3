// Probes. /health reports every dependency with its driver; liveness touches nothing; readiness
// (and its alias /health/ready) is 200 only when ready and every required dependency answers.
// Probes are never rate-limited: a throttled probe would take a healthy instance out of rotation.
import Type from 'typebox';
import type { HealthRegistry } from '../platform/health/health-registry.js';
import type { Lifecycle } from '../platform/health/lifecycle.js';
import { errors } from '../platform/errors/app-error.js';
import type { App } from './app-types.js';
import { problemResponses } from './problem.js';

const Status = Type.Enum(['healthy', 'degraded', 'unhealthy']);

const DependencyReport = Type.Object({
  status: Status,
  driver: Type.String(),
  required: Type.Boolean(),
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

const AzureStorageHealth = Type.Object({
  status: Status,
  service: Type.Literal('azure_blob_storage'),
  driver: Type.String({ description: '`azure`, or `disk` when blobs are kept locally' }),
  region: Type.Optional(Type.String({ description: 'AZURE_REGION' })),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export function registerHealthRoutes(
  app: App,
  deps: {
    health: HealthRegistry;
    lifecycle: Lifecycle;
    version: string;
    environment: string;
    /** AZURE_REGION, shown on /health/azure-storage. */
    region?: string | undefined;
  },
) {
  const config = { rateLimit: false } as const;

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
    const report = await deps.health.report();
    const ready = Object.values(report.dependencies).every((d) => !d.required || d.status !== 'unhealthy');
    // The lifecycle may have moved to draining while the checks ran.
    const state = deps.lifecycle.state as string;
    if (state !== 'ready') return reply.code(503).send({ status: state, dependencies: report.dependencies });
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', dependencies: report.dependencies });
  };
  for (const url of ['/health/readiness', '/health/ready']) {
    app.get(
      url,
      {
        config,
        schema: {
          tags: ['health'],
          summary: 'Ready for traffic: started, not draining, required dependencies answering',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      readiness,
    );
  }

  // Seed 001's storage probe, kept under its path and `service` name for the clients that use it.
  app.get(
    '/health/azure-storage',
    {
      config,
      schema: {
        tags: ['health'],
        summary: 'Blob storage alone: its driver, region and a live probe',
        response: { 200: AzureStorageHealth, 503: AzureStorageHealth, ...problemResponses(404) },
      },
    },
    async (_request, reply) => {
      const storage = await deps.health.reportOne('storage');
      if (storage === undefined) throw errors.notFound('This process has no blob storage.');
      const { required: _required, ...report } = storage;
      return reply.code(storage.status === 'unhealthy' ? 503 : 200).send({
        ...report,
        service: 'azure_blob_storage' as const,
        ...(deps.region === undefined ? {} : { region: deps.region }),
      });
    },
  );
}
