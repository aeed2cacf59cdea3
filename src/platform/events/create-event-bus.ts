// Picks the event bus driver: Redis when configured (events reach every instance), memory otherwise.
import type { Settings } from '../config/settings-schema.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { ManagedEventBus } from './event-bus.js';
import { MemoryEventBus, type EventBusDeps } from './memory-event-bus.js';
import { RedisEventBus } from './redis-event-bus.js';

export interface CreateEventBusDeps extends EventBusDeps {
  redis?: RedisConnections;
}

export function createEventBus(settings: Settings, deps: CreateEventBusDeps): ManagedEventBus {
  const options = { replaySize: settings.EVENTS_REPLAY_SIZE };
  if (deps.redis === undefined) return new MemoryEventBus(options, deps);
  return new RedisEventBus(options, {
    ...deps,
    publisher: deps.redis.connect('events', 'command'),
    subscriber: deps.redis.connect('events', 'subscriber'),
  });
}
