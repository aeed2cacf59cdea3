// Wraps a Kysely dialect so that a query failing because PostgreSQL is unreachable (refused or
// dropped connection, server shutting down, too many connections) leaves the database port as the
// one outage error (503 with Retry-After), whatever store or module ran it.
import type { DatabaseConnection, Dialect, Driver, QueryResult } from 'kysely';
import { translatingOutages } from '../resilience/dependency-error.js';
import { networkCodeOf } from '../resilience/failure-classification.js';

/** SQLSTATEs that mean "the server cannot serve you now", not "your query is wrong". */
const outageStates = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg and pg-pool report a lost or unobtainable connection by message only. */
const outageMessages =
  /Connection terminated|Connection ended unexpectedly|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseOutage(error: unknown): boolean {
  if (networkCodeOf(error) !== undefined) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // Class 08: connection exceptions.
  if (typeof code === 'string' && (code.startsWith('08') || outageStates.has(code))) return true;
  return error instanceof Error && outageMessages.test(error.message);
}

const guard = <T>(fn: () => Promise<T>) => translatingOutages('database', fn, isDatabaseOutage);

export function withOutageTranslation(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => translatingDriver(dialect.createDriver()),
  };
}

function translatingDriver(driver: Driver): Driver {
  // Drivers keep private state on their own connection objects (release hooks), so they are
  // always handed back the original, never the wrapper.
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const original = (connection: DatabaseConnection) => originals.get(connection) ?? connection;
  const wrap = (connection: DatabaseConnection): DatabaseConnection => {
    const wrapper: DatabaseConnection = {
      executeQuery: <R>(query: Parameters<DatabaseConnection['executeQuery']>[0]) =>
        guard<QueryResult<R>>(() => connection.executeQuery<R>(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
    originals.set(wrapper, connection);
    return wrapper;
  };
  return {
    init: () => guard(() => driver.init()),
    acquireConnection: async () => wrap(await guard(() => driver.acquireConnection())),
    beginTransaction: (c, settings) => guard(() => driver.beginTransaction(original(c), settings)),
    commitTransaction: (c) => guard(() => driver.commitTransaction(original(c))),
    rollbackTransaction: (c) => guard(() => driver.rollbackTransaction(original(c))),
    releaseConnection: (c) => driver.releaseConnection(original(c)),
    destroy: () => driver.destroy(),
    ...(driver.savepoint === undefined
      ? {}
      : {
          savepoint: (c, name, compile) =>
            guard(() => driver.savepoint?.(original(c), name, compile) ?? Promise.resolve()),
          rollbackToSavepoint: (c, name, compile) =>
            guard(() => driver.rollbackToSavepoint?.(original(c), name, compile) ?? Promise.resolve()),
          releaseSavepoint: (c, name, compile) =>
            guard(() => driver.releaseSavepoint?.(original(c), name, compile) ?? Promise.resolve()),
        }),
  };
}
