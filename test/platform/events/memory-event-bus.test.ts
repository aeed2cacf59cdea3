// The event bus contract on the memory driver.
import { MemoryEventBus } from '../../../src/platform/events/memory-event-bus.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { contractReplaySize, describeEventBusContract } from './event-bus-contract.js';

describeEventBusContract('memory', () =>
  Promise.resolve({
    make: () =>
      Promise.resolve(new MemoryEventBus({ replaySize: contractReplaySize }, { logger: silentLogger() })),
    cleanup: () => Promise.resolve(),
  }),
);
