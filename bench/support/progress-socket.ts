// The /ws progress socket a bench's API hosts for the module it measures (roles/ shares one
// between modules; a bench hosts one module).
import type { Registry } from 'prom-client';
import { createProgressSocket } from '../../src/http/progress-socket.js';
import type { EventBus } from '../../src/platform/events/event-bus.js';
import type { Lifecycle } from '../../src/platform/health/lifecycle.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';

export function benchProgressSocket(ports: {
  events: EventBus;
  lifecycle: Lifecycle;
  metrics: Registry;
  logger: Logger;
}) {
  return createProgressSocket({ ...ports, pingIntervalMs: 30_000, maxMessageBytes: 4096 });
}
