// The audit log contract on real PostgreSQL (a throwaway database).
import { describe } from 'vitest';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import { createTestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeAuditLogContract } from './audit-log-contract.js';

describe.runIf(await available('postgres'))('postgres', () => {
  describeAuditLogContract('postgres', async () => {
    const target = await createTestPostgres('audit');
    const database = await createPostgresDatabase(
      {
        url: target.url,
        poolSize: 2,
        idleTimeoutMs: 10_000,
        maxLifetimeSeconds: 600,
        statementTimeoutMs: 10_000,
      },
      { logger: silentLogger() },
    );
    return {
      database,
      async cleanup() {
        await database.close();
        await target.drop();
      },
    };
  });
});
