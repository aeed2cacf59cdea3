// Builds the console into web/dist (served by the API at `/`, or deployed to Static Web Apps) and,
// in `npm run dev:web`, serves it with hot reload, proxying API calls to a running `npm start`.
import { defineConfig } from 'vite';

const api = process.env.AZIMUTH_API ?? 'http://localhost:8080';
const apiPaths = [
  '/api',
  '/stars',
  '/users',
  '/events',
  '/health',
  '/metrics',
  '/admin',
  '/console/config',
  '/docs',
  '/openapi.json',
  '/s/',
];

export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Nothing inlined as data: URIs, so the strict CSP needs no exceptions for scripts or styles.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
    // The plugin-timing note is advice for plugin authors, not for a build of a few files.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    port: 3000,
    proxy: {
      ...Object.fromEntries(apiPaths.map((path) => [path, { target: api, changeOrigin: true }])),
      '/ws': { target: api.replace(/^http/, 'ws'), ws: true },
    },
  },
});
