// The database contract on embedded PGlite, in memory.
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import type { Database } from '../../../src/platform/db/database.js';
import { describeDatabaseContract } from './database-contract.js';

describeDatabaseContract('pglite', async () => {
  const database = await createPgliteDatabase({ dataDir: ':memory:' });
  // PGlite is one connection in one process: a peer is the same handle, as a second caller would use it.
  const peer: Database = { ...database, close: () => Promise.resolve() };
  return {
    database,
    openPeer: () => Promise.resolve(peer),
    cleanup: () => database.close(),
  };
});
