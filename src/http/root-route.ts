// GET /: what this service is and where to look next.
import Type from 'typebox';
import type { App } from './app-types.js';

const ServiceInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  environment: Type.String(),
  docs: Type.String(),
  openapi: Type.String(),
  health: Type.String(),
});

export function registerRootRoute(app: App, info: { name: string; version: string; environment: string }) {
  const body = { ...info, docs: '/docs', openapi: '/openapi.json', health: '/health' };
  app.get(
    '/',
    { schema: { tags: ['service'], summary: 'Service information', response: { 200: ServiceInfo } } },
    () => body,
  );
}
