/**
 * The shape of a destination table, produced by the normalizer from the stream table
 * and consumed by every destination. Names are lowercase snake_case; nested objects
 * are flattened with `__`; lists become child tables.
 */
export type ColumnType =
  | 'text'
  | 'bigint' // 64-bit integer (JS number or bigint)
  | 'double'
  | 'decimal' // exact decimal, DECIMAL(38,9)
  | 'boolean'
  | 'timestamptz' // JS Date (or ISO string with offset)
  | 'date' // 'YYYY-MM-DD' string
  | 'json'; // any JSON value, stored as JSON text where there is no JSON type

export interface Column {
  name: string;
  type: ColumnType;
  /** Primary-key columns are never null; every other column may be. */
  nullable?: boolean;
}

export interface TableSchema {
  name: string;
  columns: Column[];
  /** Column names forming the primary key. Every table has one. */
  primaryKey: string[];
  /**
   * For child tables (lists inside a parent record): the parent table and the columns of this
   * table that hold the parent's primary key, in the parent's key order. When a transaction
   * writes parent rows, the children of those parents are replaced by the children written
   * in the same transaction.
   */
  parent?: { table: string; columns: string[] };
}

/** One row: column name → value. Values: string | number | bigint | boolean | Date | null | JSON. */
export type Row = Record<string, unknown>;

/** Metadata columns every destination adds to every data table. */
export const LOADED_AT = '_loaded_at';
export const DELETED_AT = '_deleted_at';
