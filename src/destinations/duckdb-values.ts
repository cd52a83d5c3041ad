import {
  BIGINT, BOOLEAN, DATE, DECIMAL, DOUBLE, TIMESTAMPTZ, VARCHAR, decimalValue,
  type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import { SyncError } from '../errors.ts';
import type { Column, ColumnType, Row } from '../normalize/table-schema.ts';
import { quoteIdent } from './sql-names.ts';

/** The SQL type of each column type in DuckDB. */
export const DUCKDB_SQL_TYPE: Record<ColumnType, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  decimal: 'DECIMAL(38,9)',
  boolean: 'BOOLEAN',
  timestamptz: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
  json: 'JSON',
};

/** `"name" TYPE`: a column's definition in CREATE TABLE and ALTER TABLE … ADD COLUMN. */
export function columnSql(column: Column): string {
  return `${quoteIdent(column.name)} ${DUCKDB_SQL_TYPE[column.type]}`;
}

/** Column type of a DuckDB `data_type` string (as duckdb_columns() prints it), or null. */
export function columnTypeOfDuckDB(dataType: string): ColumnType | null {
  const t = dataType.toUpperCase();
  if (t === 'VARCHAR') return 'text';
  if (t === 'BIGINT' || t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT' || t === 'HUGEINT') return 'bigint';
  if (t === 'DOUBLE' || t === 'FLOAT') return 'double';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamptz';
  if (t === 'DATE') return 'date';
  if (t === 'JSON') return 'json';
  return null;
}

const DECIMAL_38_9 = DECIMAL(38, 9);

/**
 * The data-chunk vector type each column is appended with. The staging table has the final SQL
 * types (a JSON column takes VARCHAR data), so no cast pass is needed after the append.
 * Decimals are scaled in JS: DuckDB's text → DECIMAL(38,9) cast costs ~10 µs a value.
 */
export function stagingType(type: ColumnType): DuckDBType {
  switch (type) {
    case 'decimal': return DECIMAL_38_9;
    case 'bigint': return BIGINT;
    case 'double': return DOUBLE;
    case 'boolean': return BOOLEAN;
    case 'timestamptz': return TIMESTAMPTZ;
    case 'date': return DATE;
    default: return VARCHAR;
  }
}

function bad(column: Column, value: unknown, why: string): SyncError {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 60)) : String(JSON.stringify(value) ?? value).slice(0, 60);
  } catch {
    shown = typeof value;
  }
  return new SyncError('DESTINATION_BAD_VALUE', `Column "${column.name}" (${column.type}) cannot hold ${shown}: ${why}`, { kind: 'destination' });
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Convert one JS value to what the staging column of `column` holds. */
export function toStaging(column: Column, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'text':
      if (typeof value === 'string') return value;
      if (value instanceof Date) return value.toISOString();
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    case 'bigint':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
      throw bad(column, value, 'not an integer');
    case 'double':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (typeof value === 'bigint') return Number(value);
      throw bad(column, value, 'not a number');
    case 'decimal':
      return decimalValue(scaledDecimal(column, value), 38, 9);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad(column, value, 'not a boolean');
    case 'timestamptz': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
      if (!Number.isFinite(ms)) throw bad(column, value, 'not a timestamp');
      // The vector only reads `micros`; a plain object avoids a class allocation per value.
      return { micros: BigInt(Math.round(ms) * 1000) } as unknown as DuckDBValue;
    }
    case 'date': {
      let ms = NaN;
      if (typeof value === 'string' && DATE_RE.test(value.slice(0, 10))) ms = Date.parse(value.slice(0, 10) + 'T00:00:00Z');
      else if (value instanceof Date) ms = Date.parse(value.toISOString().slice(0, 10) + 'T00:00:00Z');
      if (!Number.isFinite(ms)) throw bad(column, value, 'not a YYYY-MM-DD date');
      return { days: ms / 86_400_000 } as unknown as DuckDBValue;
    }
    case 'json':
      return JSON.stringify(value);
  }
}

function decimalText(column: Column, value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad(column, value, 'not a finite number');
    if (Number.isInteger(value)) return String(value);
    const s = String(value);
    return s.includes('e') ? value.toFixed(9) : s;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && DECIMAL_RE.test(value.trim())) return value.trim();
  throw bad(column, value, 'not a decimal');
}

/** '-12.5' → '-12.500000000': the value with exactly 9 decimals (digits beyond the 9th are truncated). */
function decimalText9(column: Column, value: unknown): string {
  const text = decimalText(column, value);
  let s = text;
  let sign = '';
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1);
  }
  const dot = s.indexOf('.');
  const whole = (dot < 0 ? s : s.slice(0, dot)) || '0';
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  const frac9 = (frac + '000000000').slice(0, 9);
  if ((whole + frac9).replace(/^0+/, '').length > 38) throw bad(column, text, 'more than 29 digits before the decimal point');
  return `${sign}${whole}.${frac9}`;
}

/** '-12.5' → -12500000000n (scale 9). */
function scaledDecimal(column: Column, value: unknown): bigint {
  return BigInt(decimalText9(column, value).replace('.', ''));
}

/** SQL expression reading a stored column in the form `fromReadValue` expects. */
export function readExpr(name: string, quoted: string, type: ColumnType | null): string {
  switch (type) {
    case 'decimal': return `CAST(${quoted} AS DOUBLE)`;
    case 'date': return `strftime(${quoted}, '%Y-%m-%d')`;
    case 'json': return `CAST(${quoted} AS VARCHAR)`;
    case null: return `CAST(${quoted} AS VARCHAR)`;
    default: return quoted;
  }
}

/** Canonical JS form of a value read through `readExpr` (see Destination.readTable). */
export function fromReadValue(type: ColumnType | null, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'bigint':
      if (typeof value === 'bigint') {
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
      }
      return value;
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
  }
}

/**
 * Refuse keys that are not columns. `defined` = how many known columns the row has a defined
 * value for (counted during conversion): only rows with more keys than that are searched.
 */
export function checkRowKeys(table: string, row: Row, known: Set<string>, defined: number): void {
  let n = 0;
  for (const _ in row) n++;
  if (n <= defined) return;
  for (const key in row) {
    if (!known.has(key)) {
      throw new SyncError(
        'DESTINATION_UNKNOWN_COLUMN',
        `Table "${table}" has no column "${key}"; pass the updated table schema to ensureTables before writing it`,
        { kind: 'destination' },
      );
    }
  }
}
