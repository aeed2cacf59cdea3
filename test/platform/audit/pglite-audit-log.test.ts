// The audit log contract on embedded PGlite.
import { createPgliteDatabase } from '../../../src/platform/db/pglite-database.js';
import { describeAuditLogContract } from './audit-log-contract.js';

describeAuditLogContract('pglite', async () => {
  const database = await createPgliteDatabase({ dataDir: ':memory:' });
  return { database, cleanup: () => database.close() };
});
