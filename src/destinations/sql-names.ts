import { SyncError } from '../errors.ts';

/**
 * Quote an identifier for SQL (DuckDB and PostgreSQL share the double-quote rule).
 * Names are refused when they could never be a table or column name (empty, NUL, too long).
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255 || name.includes('\u0000')) {
    throw new SyncError('DESTINATION_BAD_NAME', `Invalid table or column name: ${JSON.stringify(name)}`, { kind: 'destination' });
  }
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quote a string literal (single quotes doubled). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) {
    throw new SyncError('DESTINATION_BAD_VALUE', 'A SQL literal cannot contain a NUL character', { kind: 'destination' });
  }
  return "'" + value.replace(/'/g, "''") + "'";
}

/** `a.x = b.x AND a.y = b.y` over the given columns. */
export function joinOn(columns: string[], left: string, right: string): string {
  return joinPairs(columns, left, columns, right);
}

/** `l.a = r.x AND l.b = r.y`: column i of `leftColumns` equals column i of `rightColumns`. */
export function joinPairs(leftColumns: string[], left: string, rightColumns: string[], right: string): string {
  return leftColumns.map((c, i) => `${left}.${quoteIdent(c)} = ${right}.${quoteIdent(rightColumns[i])}`).join(' AND ');
}

/** A file-system friendly name for a table (used by the file destinations). */
export function safeFileStem(table: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(table) || table.includes('..')) {
    throw new SyncError('DESTINATION_BAD_NAME', `Table name cannot be used as a file name: ${JSON.stringify(table)}`, { kind: 'destination' });
  }
  return table;
}
