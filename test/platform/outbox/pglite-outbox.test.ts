// The outbox contract on embedded PGlite.
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { describeOutboxContract } from './outbox-contract.js';

describeOutboxContract('pglite', async () => {
  const database = await createPgliteDatabase({ dataDir: ':memory:' });
  return { database, concurrent: false, cleanup: () => database.close() };
});
