// The HTTP server's limits against slow clients (slowloris): headers and the whole request must
// arrive in time, and idle keep-alive connections close. Node checks the first two on an interval,
// so the interval follows the shortest limit.
import type { Settings } from '../platform/config/settings-schema.js';

type TimeoutSettings = Pick<
  Settings,
  'API_HEADERS_TIMEOUT_MS' | 'API_REQUEST_TIMEOUT_MS' | 'API_KEEP_ALIVE_TIMEOUT_MS'
>;

/** Fastify's server options for the settings' timeouts. */
export function serverTimeouts(settings: TimeoutSettings) {
  return {
    requestTimeout: settings.API_REQUEST_TIMEOUT_MS,
    // Above Azure's front-end idle timeout, so the front end closes idle connections, not us.
    keepAliveTimeout: settings.API_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: settings.API_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1000, settings.API_HEADERS_TIMEOUT_MS),
    },
  };
}
