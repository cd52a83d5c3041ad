/**
 * SQL text for the PostgreSQL destination: identifier quoting, the column type map and the
 * DDL of data and metadata tables. Pure functions, no I/O.
 */
import { SyncError } from '../errors.ts';
import { DELETED_AT, LOADED_AT, type ColumnType, type TableSchema } from '../normalize/table-schema.ts';

export const STATE_TABLE = '_clockify_sync_state';
export const RUNS_TABLE = '_clockify_sync_runs';

/** PostgreSQL's identifier limit in bytes; longer names would be silently truncated. */
const MAX_IDENTIFIER_BYTES = 63;

export const PG_TYPES: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'bigint',
  double: 'double precision',
  decimal: 'numeric',
  boolean: 'boolean',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  json: 'jsonb',
};

/** Quote an identifier ("a""b"); refuses names PostgreSQL would truncate or cannot hold. */
export function ident(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new SyncError('DESTINATION_BAD_IDENTIFIER', `Invalid PostgreSQL identifier ${JSON.stringify(name)}.`, { kind: 'destination' });
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new SyncError(
      'DESTINATION_BAD_IDENTIFIER',
      `The name "${name}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte identifier limit.`,
      { kind: 'destination', hint: 'Shorten the table or column name (or exclude the field) in the configuration.' },
    );
  }
  return '"' + name.replaceAll('"', '""') + '"';
}

/** "schema"."table" */
export function qualified(schema: string, table: string): string {
  return `${ident(schema)}.${ident(table)}`;
}

/** A list of quoted columns, optionally prefixed by a table alias: t."a", t."b". */
export function colList(cols: string[], alias?: string): string {
  return cols.map((c) => (alias ? `${alias}.${ident(c)}` : ident(c))).join(', ');
}

/** Does the type found in the database (format_type output) hold what the catalog expects? */
export function typeMatches(expected: ColumnType, actual: string): boolean {
  const want = PG_TYPES[expected];
  if (actual === want) return true;
  // numeric(38,9) and friends still hold a decimal
  if (expected === 'decimal' && actual.startsWith('numeric')) return true;
  return false;
}

export function createTableSql(schema: string, table: TableSchema): string {
  const pk = new Set(table.primaryKey);
  const cols = table.columns.map((c) => `${ident(c.name)} ${PG_TYPES[c.type]}${pk.has(c.name) ? ' NOT NULL' : ''}`);
  cols.push(`${ident(LOADED_AT)} timestamp with time zone NOT NULL DEFAULT now()`);
  cols.push(`${ident(DELETED_AT)} timestamp with time zone`);
  return `CREATE TABLE ${qualified(schema, table.name)} (\n  ${cols.join(',\n  ')},\n  PRIMARY KEY (${colList(table.primaryKey)})\n)`;
}

export function metaTablesSql(schema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, STATE_TABLE)} (
      workspace_id text NOT NULL,
      stream text NOT NULL,
      "partition" text NOT NULL,
      "cursor" jsonb,
      updated_at timestamp with time zone NOT NULL,
      PRIMARY KEY (workspace_id, stream, "partition"))`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, RUNS_TABLE)} (
      run_id text PRIMARY KEY,
      started_at timestamp with time zone NOT NULL,
      ended_at timestamp with time zone,
      status text NOT NULL,
      mode text NOT NULL,
      rows_per_table jsonb NOT NULL,
      requests bigint NOT NULL,
      error text)`,
  ];
}

/** Columns (name → format_type) of every table in a schema. */
export const INTROSPECT_SQL = `
  SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY c.relname, a.attnum`;

/** Primary-key columns of one table, in key order. */
export const PRIMARY_KEY_SQL = `
  SELECT a.attname AS column_name
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
  WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary
  ORDER BY k.ord`;

/** ORDER BY for primary-key columns; text keys sort by code point (COLLATE "C") like JS. */
export function orderBySql(pk: string[], types: Map<string, string>): string {
  return pk.map((c) => (types.get(c) === 'text' ? `${ident(c)} COLLATE "C"` : ident(c))).join(', ');
}
