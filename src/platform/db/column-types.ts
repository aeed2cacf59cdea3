// Column shapes modules use in their Kysely table types, read as drivers return them and written as
// the stores write them.
import type { ColumnType } from 'kysely';

/** JSON read parsed and written as JSON text (pg would turn a JS array into a SQL array). */
export type JsonColumn<T> = ColumnType<T, string, string>;
/** A JSON column with a default, so an insert may leave it out. */
export type DefaultedJsonColumn<T> = ColumnType<T, string | undefined, string>;
export type NullableJsonColumn<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** pg reads bigint as a string. */
export type BigIntColumn = ColumnType<string | number, number, number>;
export type NullableBigIntColumn = ColumnType<
  string | number | null,
  number | null | undefined,
  number | null
>;
export type TimeColumn = ColumnType<Date, Date, Date>;
export type NullableTimeColumn = ColumnType<Date | null, Date | null | undefined, Date | null>;
/** A nullable column that may be left out of an insert. */
export type OptionalColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A number with a default (versions, counters). */
export type CounterColumn = ColumnType<number, number | undefined, number>;
