// The outbox contract on real PostgreSQL (a throwaway database).
import { describe } from 'vitest';
import { createPostgresDatabase } from '../../../src/platform/db/postgres-database.js';
import { createTestPostgres } from '../../helpers/postgres.js';
import { available } from '../../helpers/services.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { describeOutboxContract } from './outbox-contract.js';

describe.runIf(await available('postgres'))('postgres', () => {
  describeOutboxContract('postgres', async () => {
    const target = await createTestPostgres('outbox');
    const database = await createPostgresDatabase(
      {
        url: target.url,
        poolSize: 4,
        idleTimeoutMs: 10_000,
        maxLifetimeSeconds: 600,
        statementTimeoutMs: 10_000,
      },
      { logger: silentLogger() },
    );
    return {
      database,
      concurrent: true,
      async cleanup() {
        await database.close();
        await target.drop();
      },
    };
  });
});
