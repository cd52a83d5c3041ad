/**
 * Flat pages read by DuckDB: the CSV of each table of a page (json-flatten.ts made it from a
 * raw JSON page that fits its stream's shape) is read with `read_csv`, with the workspace id
 * added, into the table itself or its staging table (duckdb-flat-loads.ts decides). No
 * JavaScript object is made per record: the CSV goes to files, and DuckDB reads them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlatShape, FlatTable } from '../normalize/json-flatten.ts';
import type { ColumnType } from '../normalize/table-schema.ts';
import { quoteLiteral } from './sql-names.ts';

/** How each column type is read from the CSV (JSON as text, minified by `json()` as JSON.stringify writes it). */
const READ_TYPE: Partial<Record<ColumnType, string>> = {
  text: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamptz: 'TIMESTAMPTZ', json: 'VARCHAR',
};

/** The dialect json-flatten.ts writes: no header, no sniffing, `""` an empty string and an empty field null. */
const CSV_OPTIONS = `header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', new_line = '\\n', allow_quoted_nulls = false`;

/** Target columns (the workspace id first) and the SELECT reading a table's CSV files. */
export interface FlatTableSql {
  columns: string[];
  /** `longest`: the size of the largest file, which no line can exceed. */
  select(workspaceId: string, files: readonly string[], longest: number): string;
}

const compiled = new WeakMap<FlatShape, FlatTableSql[]>();

/** The SQL of each table of a flat shape, in its order. */
export function flatSqlFor(shape: FlatShape): FlatTableSql[] {
  let sql = compiled.get(shape);
  if (!sql) compiled.set(shape, (sql = shape.tables.map(tableSql)));
  return sql;
}

/**
 * The reader's line and buffer sizes: large enough for the longest possible line (a record with
 * a 20 MB description is one line; the default limit is 2 MB), and no larger than the files
 * need (the default buffer is 32 MB).
 */
function lineSize(longest: number): string {
  const size = Math.max(longest + 1, 1 << 16);
  return `max_line_size = ${size}, buffer_size = ${size}`;
}

function tableSql(t: FlatTable): FlatTableSql {
  const spec = t.columns.map((c, i) => {
    const type = READ_TYPE[c.type];
    if (!type) throw new Error(`column type ${c.type} of ${t.table}.${c.name} has no flat form`);
    return `'c${i}': '${type}'`;
  });
  const exprs = t.columns.map((c, i) => (c.type === 'json' ? `json(c${i})` : `c${i}`));
  return {
    columns: ['workspace_id', ...t.columns.map((c) => c.name)],
    select: (workspaceId, files, longest) =>
      `SELECT ${quoteLiteral(workspaceId)}, ${exprs.join(', ')} FROM read_csv([${files.map(quoteLiteral).join(', ')}], ${CSV_OPTIONS}, ` +
      `${lineSize(longest)}, columns = {${spec.join(', ')}})`,
  };
}

const DIR_PREFIX = 'clockify-sync-pages-';
/** A page directory's name: the prefix, the pid of the process that made it, a random part. */
const DIR_NAME = new RegExp(`^${DIR_PREFIX}(\\d+)-`);

/**
 * Where the CSV waits for read_csv: files in a private temporary directory named for this
 * process (made on first use, removed with the database's close). A transaction's files are
 * removed once its commit has read them, or at its rollback. A killed sync cannot remove its directory: the next one removes the
 * directories of processes that no longer run.
 */
export class PageFiles {
  private dir: string | undefined;
  private seq = 0;
  private closed = false;

  async write(parts: readonly Uint8Array[]): Promise<string[]> {
    if (this.closed) throw new Error('the page files are closed');
    if (!this.dir) {
      removeOrphans(tmpdir());
      this.dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    }
    const files = parts.map(() => join(this.dir!, `${this.seq++}.csv`));
    await Promise.all(parts.map((p, i) => writeFile(files[i], p)));
    return files;
  }

  /** Where the files go (for messages). */
  where(): string {
    return this.dir ?? tmpdir();
  }

  remove(files: readonly string[]): void {
    for (const f of files) rmSync(f, { force: true });
  }

  close(): void {
    this.closed = true;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Removes the page directories of processes that no longer run (a killed sync's). */
export function removeOrphans(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(DIR_NAME.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
