/**
 * Rows → PostgreSQL COPY text format (tab-separated, \N for null, backslash escapes), streamed
 * into COPY FROM STDIN with back-pressure. NUL characters, which PostgreSQL text cannot hold,
 * are removed.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { SyncError } from '../errors.ts';
import type { ColumnType, Row } from '../normalize/table-schema.ts';

const NULL = '\\N';
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

/** Escape one text value for COPY text format. */
export function escapeCopyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : s;
}

function stripNulReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '') : v;
}

/** JSON text for a jsonb column (jsonb refuses \u0000, so NULs are removed). */
export function jsonText(v: unknown): string {
  let s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  if (s === undefined) return 'null';
  if (s.includes('\\u0000')) s = JSON.stringify(v, stripNulReplacer);
  return s;
}

function badValue(column: string, type: ColumnType, v: unknown): SyncError {
  const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : String(v);
  return new SyncError('DESTINATION_BAD_VALUE', `Column "${column}" (${type}) cannot hold the value ${shown}.`, { kind: 'destination' });
}

function isoOf(column: string, type: ColumnType, d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw badValue(column, type, d);
  return d.toISOString();
}

const P2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const P3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;
const YEAR_0 = -62_167_219_200_000;
const YEAR_9999_END = 253_402_300_799_999;

/**
 * Date → ISO 8601 text like toISOString, about 6× faster for runs of timestamps on the same
 * day (the date part is cached per formatter).
 */
export function isoFormatter(): (d: Date) => string {
  let lastDay = NaN;
  let dayText = '';
  return (d) => {
    const ms = d.getTime();
    if (!(ms >= YEAR_0 && ms <= YEAR_9999_END)) return d.toISOString(); // throws on an invalid date
    const day = Math.floor(ms / DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      dayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let r = ms - day * DAY_MS;
    const h = (r / 3_600_000) | 0;
    r -= h * 3_600_000;
    const m = (r / 60_000) | 0;
    r -= m * 60_000;
    const s = (r / 1000) | 0;
    r -= s * 1000;
    return dayText + P2[h] + ':' + P2[m] + ':' + P2[s] + '.' + P3[r] + 'Z';
  };
}

/** One value → its COPY text field (already escaped). */
export type FieldEncoder = (v: unknown) => string;

export function fieldEncoder(column: string, type: ColumnType): FieldEncoder {
  switch (type) {
    case 'text':
      return (v) => {
        if (v === null || v === undefined) return NULL;
        if (typeof v === 'string') return escapeCopyText(v);
        if (v instanceof Date) return isoOf(column, type, v);
        if (typeof v === 'object') return escapeCopyText(jsonText(v));
        return escapeCopyText(String(v));
      };
    case 'bigint':
    case 'double':
    case 'decimal':
      return (v) => {
        if (v === null || v === undefined) return NULL;
        if (typeof v === 'number' || typeof v === 'bigint') return String(v);
        if (typeof v === 'string' && v.trim() !== '') return escapeCopyText(v);
        throw badValue(column, type, v);
      };
    case 'boolean':
      return (v) => {
        if (v === null || v === undefined) return NULL;
        if (v === true) return 't';
        if (v === false) return 'f';
        if (typeof v === 'string') return escapeCopyText(v);
        throw badValue(column, type, v);
      };
    case 'timestamptz': {
      const iso = isoFormatter();
      return (v) => {
        if (v === null || v === undefined) return NULL;
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) throw badValue(column, type, v);
          return iso(v);
        }
        if (typeof v === 'string') return escapeCopyText(v);
        if (typeof v === 'number') return isoOf(column, type, new Date(v));
        throw badValue(column, type, v);
      };
    }
    case 'date':
      return (v) => {
        if (v === null || v === undefined) return NULL;
        if (v instanceof Date) return isoOf(column, type, v).slice(0, 10);
        if (typeof v === 'string') return escapeCopyText(v);
        throw badValue(column, type, v);
      };
    case 'json':
      return (v) => (v === null || v === undefined ? NULL : escapeCopyText(jsonText(v)));
  }
}

/** Encode rows as COPY text lines, yielded in chunks of about `chunkChars` characters. */
export function* copyTextChunks(rows: Row[], columns: string[], encoders: FieldEncoder[], chunkChars = 1 << 20): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  const n = columns.length;
  const fields: string[] = new Array(n);
  for (const row of rows) {
    for (let i = 0; i < n; i++) fields[i] = encoders[i](row[columns[i]]);
    const line = fields.join('\t');
    parts.push(line);
    size += line.length + 1;
    if (size >= chunkChars) {
      parts.push('');
      yield parts.join('\n');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) {
    parts.push('');
    yield parts.join('\n');
  }
}

/** COPY rows into `qualifiedTable` (columns already quoted in `columnSql`); returns the row count. */
export async function copyRows(client: pg.PoolClient, qualifiedTable: string, columnSql: string, rows: Row[], columns: string[], encoders: FieldEncoder[]): Promise<number> {
  if (rows.length === 0) return 0;
  const stream = client.query(copyStreams.from(`COPY ${qualifiedTable} (${columnSql}) FROM STDIN`));
  await pipeline(Readable.from(copyTextChunks(rows, columns, encoders), { objectMode: false }), stream);
  return stream.rowCount;
}
