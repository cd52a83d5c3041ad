import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SyncError } from '../errors.ts';
import type { ColumnType } from '../normalize/table-schema.ts';
import type { DuckDBCore } from './duckdb-core.ts';
import { DUCKDB_SQL_TYPE, columnTypeOfDuckDB } from './duckdb-values.ts';
import { quoteIdent, quoteLiteral } from './sql-names.ts';

export type FileFormat = 'csv' | 'jsonl' | 'parquet';

export const FILE_EXTENSION: Record<FileFormat, string> = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' };

/** A column of a stored table: name and (when known) its column type. */
export interface FileColumn {
  name: string;
  type: ColumnType | null;
  /** The DuckDB type (for columns the catalog does not know). */
  dataType?: string;
}

const BIG = 1 << 26; // max CSV line / JSON object size when reading back (64 MiB)

/** ISO 8601 with milliseconds in UTC: the same text `Date.toISOString()` gives. */
function isoText(col: string): string {
  return `strftime(CAST(${col} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')`;
}

/** The SELECT list written to a file of `format`. */
export function exportSelect(format: FileFormat, columns: FileColumn[]): string {
  return columns
    .map((c) => {
      const q = quoteIdent(c.name);
      if (format !== 'parquet' && c.type === 'timestamptz') return `${isoText(q)} AS ${q}`;
      if (format !== 'parquet' && c.type === 'date') return `strftime(${q}, '%Y-%m-%d') AS ${q}`;
      return q;
    })
    .join(', ');
}

/** COPY options for writing `format`. */
export function copyOptions(format: FileFormat): string {
  switch (format) {
    case 'csv':
      // RFC 4180: comma, double-quote quoting with doubled quotes, CRLF records, header row;
      // NULL is an empty field, an empty string is written as "".
      return `FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"', NULL '', NEW_LINE '\\r\\n'`;
    case 'jsonl':
      return 'FORMAT json';
    case 'parquet':
      return 'FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880';
  }
}

/** Read the column names (and parquet types) a file holds; null when the file holds no header/rows. */
export async function fileColumns(core: DuckDBCore, format: FileFormat, path: string): Promise<{ name: string; dataType: string }[] | null> {
  try {
    if (format === 'jsonl') {
      const first = await firstLine(path);
      if (first === null || first.trim() === '') return null;
      const obj = JSON.parse(first) as Record<string, unknown>;
      return Object.keys(obj).map((name) => ({ name, dataType: 'VARCHAR' }));
    }
    const rows = await core.rows(`DESCRIBE SELECT * FROM ${reader(format, path, null)}`);
    return rows.map((r) => ({ name: String(r.column_name), dataType: String(r.column_type) }));
  } catch (err) {
    throw corrupt(path, err);
  }
}

export function corrupt(path: string, err: unknown): SyncError {
  return new SyncError('DESTINATION_FILE_UNREADABLE', `Cannot read back ${path}: ${err instanceof Error ? err.message : String(err)}`, {
    kind: 'destination',
    cause: err,
    hint: 'Move the file away to start that table afresh, or restore it from a backup.',
  });
}

async function firstLine(path: string): Promise<string | null> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of rl) return line;
    return null;
  } finally {
    rl.close();
  }
}

/** The table function reading `path`; for JSONL, `columns` gives the types to read with. */
export function reader(format: FileFormat, path: string, columns: FileColumn[] | null): string {
  const p = quoteLiteral(path);
  switch (format) {
    case 'csv':
      return `read_csv(${p}, header = true, all_varchar = true, allow_quoted_nulls = false, delim = ',', quote = '"', escape = '"', max_line_size = ${BIG}, buffer_size = ${BIG})`;
    case 'parquet':
      return `read_parquet(${p})`;
    case 'jsonl': {
      const cols = (columns ?? [])
        .map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(jsonReadType(c.type))}`)
        .join(', ');
      return `read_json(${p}, format = 'newline_delimited', maximum_object_size = ${BIG}${cols ? `, columns = {${cols}}` : ''})`;
    }
  }
}

function jsonReadType(type: ColumnType | null): string {
  switch (type) {
    case 'bigint': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'decimal': return 'DECIMAL(38,9)';
    case 'boolean': return 'BOOLEAN';
    case 'json': return 'JSON';
    default: return 'VARCHAR'; // text, timestamps and dates are cast from their ISO text
  }
}

/** Expression turning a column read from a file into its stored type. */
export function importExpr(format: FileFormat, column: FileColumn): string {
  const q = quoteIdent(column.name);
  if (column.type === null) return q;
  if (format === 'parquet' || format === 'csv' || column.type === 'timestamptz' || column.type === 'date') {
    return `CAST(${q} AS ${DUCKDB_SQL_TYPE[column.type]})`;
  }
  return q;
}

/** The stored type of a file-only column (one the catalog does not know). */
export function fileOnlyType(format: FileFormat, dataType: string): { sql: string; type: ColumnType | null } {
  if (format === 'parquet') return { sql: dataType, type: columnTypeOfDuckDB(dataType) };
  return { sql: 'VARCHAR', type: 'text' };
}
