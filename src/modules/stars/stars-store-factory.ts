// Picks the StarsStore driver (STARS_STORE) for the composition root.
import type { Kysely } from 'kysely';
import type { ResiliencePolicy } from '../../platform/resilience/resilience-policy.js';
import { PostgresStarsStore } from './postgres-stars-store.js';
import type { StarsTables } from './stars-tables.js';
import type { Clock, StarsStore } from './stars-store.js';
import { createTableClientFactory, type TablesAccount } from './tables-client-factory.js';
import { TablesStarsStore, type EtagRetryOptions } from './tables-stars-store.js';

export type StarsStoreOptions =
  | {
      store: 'postgres';
      /** The platform's connection as `moduleDb<StarsTables>(db)`; migrated with starsMigrations. */
      db: Kysely<StarsTables>;
      driver: 'postgres' | 'pglite';
      clock?: Clock;
    }
  | {
      store: 'tables';
      /** The storage account (storage-account.ts). */
      account: TablesAccount;
      /** The storage resilience policy every Table Storage call runs through (production). */
      policy?: ResiliencePolicy;
      /** STARS_TABLE_PREFIX */
      tablePrefix?: string;
      clock?: Clock;
      etagRetry?: EtagRetryOptions;
    };

export function createStarsStore(options: StarsStoreOptions): StarsStore {
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  if (options.store === 'postgres') {
    return new PostgresStarsStore({ db: options.db, driver: options.driver, ...clock });
  }
  return new TablesStarsStore({
    tables: createTableClientFactory(
      options.account,
      options.policy === undefined ? {} : { policy: options.policy },
    ),
    ...(options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix }),
    ...(options.etagRetry === undefined ? {} : { etagRetry: options.etagRetry }),
    ...clock,
  });
}
