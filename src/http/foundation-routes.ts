// The foundation's own routes, before any module's: service information, probes, metrics, the
// audit log for admins, and the web console.
import type { AppDeps } from './app.js';
import type { App } from './app-types.js';
import { registerAuditLogRoute } from './audit-log-route.js';
import { registerConsole } from './console.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerMetricsSummaryRoute } from './metrics-summary-route.js';
import { registerRootRoute } from './root-route.js';

export async function registerFoundationRoutes(app: App, deps: AppDeps) {
  const { settings } = deps;
  registerHealthRoutes(app, {
    health: deps.health,
    lifecycle: deps.lifecycle,
    version: settings.VERSION,
    environment: settings.ENVIRONMENT,
  });
  registerMetricsRoute(app, deps.metrics);
  registerMetricsSummaryRoute(app, { metrics: deps.metrics, health: deps.health });
  if (deps.auditLog) registerAuditLogRoute(app, { auditLog: deps.auditLog });
  // Before the root route: the console hooks itself onto `/` as that route is registered.
  if (deps.console)
    await registerConsole(app, {
      ...deps.console,
      version: settings.VERSION,
      environment: settings.ENVIRONMENT,
    });
  registerRootRoute(app, {
    name: settings.PROJECT_NAME,
    version: settings.VERSION,
    environment: settings.ENVIRONMENT,
  });
}
