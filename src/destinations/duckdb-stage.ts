import { DuckDBDataChunk, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { SyncError } from '../errors.ts';
import type { Column, Row, TableSchema } from '../normalize/table-schema.ts';
import { checkRowKeys, columnSql, stagingType, toStaging } from './duckdb-values.ts';

/**
 * Appending rows to a staging table through the Appender, one data chunk (DuckDB's vector
 * size) at a time. Numbers, booleans and timestamps are written straight into the vectors'
 * memory; a text costs one native call. The appender runs on this thread and leaves DuckDB's
 * threads free for merges and checkpoints. (Joining each column into one text and splitting
 * it in SQL, tried before, moved the work to DuckDB but cost ~7 µs a row there: 25 s of CPU
 * at 1M entries, against ~2 µs a row here.)
 */

/** Rows per data chunk: DuckDB's vector size, the most a chunk can hold. */
const CHUNK = 2048;

/** One staging table being appended to: its name and its columns in order. */
export interface StagingTarget {
  name: string;
  columns: string[];
}

/** Appends `rows` to `target` (whose columns are all in `schema`). */
export async function appendRows(con: DuckDBConnection, schema: TableSchema, target: StagingTarget, rows: Row[]): Promise<void> {
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const cols = target.columns.map((n) => byName.get(n)!);
  const fill = fillerFor(schema, target, cols);
  const appender = await con.createAppender(target.name, 'main', 'temp');
  try {
    const chunk = DuckDBDataChunk.create(cols.map((c) => stagingType(c.type)));
    for (let off = 0; off < rows.length; off += CHUNK) {
      const n = Math.min(CHUNK, rows.length - off);
      // One chunk, reset between appends: its native memory is reused.
      if (off > 0) chunk.reset();
      chunk.rowCount = n;
      const vectors: DuckDBVector[] = [];
      for (let c = 0; c < cols.length; c++) vectors.push(chunk.getColumnVector(c));
      fill(rows, off, n, vectors);
      for (const v of vectors) v.flush();
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } catch (err) {
    // Closing flushes again, and would report "transaction aborted" instead of the cause.
    try {
      appender.closeSync();
    } catch {
      // the error above is the one to report
    }
    throw err;
  }
  appender.closeSync();
}

/**
 * Writes rows `off`…`off + n - 1` into the chunk's vectors, checking each value (and that each
 * row has no key outside the schema). Generated per column list, so each property is read by
 * name with its own inline cache (a keyed read by a varying name costs ~100 ns a value); the
 * common value of each type has an inline fast path, the rest goes through `toStaging`.
 */
type Fill = (rows: Row[], off: number, n: number, vectors: DuckDBVector[]) => void;

const fillers = new WeakMap<StagingTarget, { columns: number; fill: Fill }>();

function fillerFor(schema: TableSchema, target: StagingTarget, cols: Column[]): Fill {
  const cached = fillers.get(target);
  if (cached?.columns === cols.length) return cached.fill;
  const body: string[] = [
    ...cols.map((_, i) => `const vec${i} = vectors[${i}];`),
    'for (let r = 0; r < n; r++) {',
    'const row = rows[off + r]; let defined = 0; let v;',
  ];
  cols.forEach((c, i) => {
    body.push(`v = row[${JSON.stringify(c.name)}];`);
    const missing = schema.primaryKey.includes(c.name) ? `throw nullKey(${i});` : `vec${i}.setItem(r, null);`;
    body.push(`if (v === undefined) { ${missing} } else if (v === null) { defined++; ${missing} } else {`, 'defined++;');
    const slow = `toStaging(cols[${i}], v)`;
    switch (c.type) {
      case 'text':
        body.push(`vec${i}.setItem(r, typeof v === 'string' ? v : ${slow});`);
        break;
      case 'timestamptz':
        // The vector reads only `micros`.
        body.push(`vec${i}.setItem(r, v instanceof Date ? { micros: BigInt(v.getTime() * 1000) } : ${slow});`);
        break;
      case 'bigint':
        body.push(`vec${i}.setItem(r, Number.isSafeInteger(v) ? BigInt(v) : ${slow});`);
        break;
      case 'double':
        body.push(`vec${i}.setItem(r, typeof v === 'number' ? v : ${slow});`);
        break;
      case 'boolean':
        body.push(`vec${i}.setItem(r, typeof v === 'boolean' ? v : ${slow});`);
        break;
      case 'decimal':
        // DECIMAL(38,9): the vector reads only `value`, the number scaled by 10^9.
        body.push(`vec${i}.setItem(r, Number.isSafeInteger(v) ? { value: BigInt(v) * 1000000000n } : ${slow});`);
        break;
      default:
        body.push(`vec${i}.setItem(r, ${slow});`);
    }
    body.push('}');
  });
  body.push('checkRowKeys(table, row, known, defined);', '}');
  const nullKey = (i: number) =>
    new SyncError('DESTINATION_NULL_KEY', `A row of "${schema.name}" has no value for primary-key column "${cols[i].name}"`, { kind: 'destination' });
  const known = new Set(schema.columns.map((c) => c.name));
  const make = new Function('cols', 'toStaging', 'checkRowKeys', 'nullKey', 'table', 'known', `return (rows, off, n, vectors) => {\n${body.join('\n')}\n};`);
  const fill = make(cols, toStaging, checkRowKeys, nullKey, schema.name, known) as Fill;
  fillers.set(target, { columns: cols.length, fill });
  return fill;
}

/** The SQL column definitions of a staging table. */
export function stagingColumns(columns: Column[]): string {
  return columns.map(columnSql).join(', ');
}
