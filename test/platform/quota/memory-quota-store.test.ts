// The memory QuotaStore against the contract.
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import { describeQuotaStoreContract } from './quota-store-contract.js';

describeQuotaStoreContract('memory', () =>
  Promise.resolve({ make: (clock) => createMemoryQuotaStore({ now: () => clock.now }) }),
);
