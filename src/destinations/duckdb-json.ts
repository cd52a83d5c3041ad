/**
 * Raw JSON pages flattened by DuckDB: a stream's plan (normalize-plan.ts) compiled into one
 * SELECT per table (the stream's and each child table's) reading the page files with
 * `read_json`, giving exactly the rows the normalizer makes for a page that fits the plan's
 * shape (json-shape.ts checked it byte by byte: no unknown key, every value of its column's JSON
 * type, instants and durations in the forms converted here). No JavaScript object is made per
 * record: the pages go to files, and DuckDB reads them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnType } from '../normalize/table-schema.ts';
import { planColumnType, type ChildPlan, type FieldPlan, type LevelPlan, type StreamPlan, type TablePlan } from '../normalize/normalize-plan.ts';
import { versionOf } from '../normalize/json-shape.ts';
import { quoteIdent, quoteLiteral } from './sql-names.ts';

const READ_TYPE: Partial<Record<ColumnType, string>> = {
  text: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamptz: 'TIMESTAMPTZ', json: 'JSON',
};

export interface JsonTableSql {
  table: string;
  /** Target columns, in the order of `exprs`. */
  columns: string[];
  /** `INSERT INTO <staging> (<columns>) ` + this, through `selectFor`. */
  select: string;
}

export interface JsonSql {
  tables: JsonTableSql[];
}

/** Stands for the workspace id literal in `select` (NUL: never part of a quoted name). */
export const WS = '\u0000ws\u0000';

const compiled = new WeakMap<StreamPlan, { version: number; sql: JsonSql }>();

/** The compiled SQL of a plan, compiled again once the plan has learned fields. */
export function jsonSqlFor(plan: StreamPlan): JsonSql {
  const version = versionOf(plan);
  let c = compiled.get(plan);
  if (!c || c.version !== version) compiled.set(plan, (c = { version, sql: compileJsonSql(plan) }));
  return c.sql;
}

function typeOf(table: TablePlan, column: string): ColumnType {
  const type = planColumnType(table, column);
  if (!type) throw new Error(`column ${column} is not in ${table.schema.name}`);
  return type;
}

/** DuckDB type of a plan level read as a struct (null: nothing to read in it). */
function structType(table: TablePlan, level: LevelPlan): string | null {
  const parts: string[] = [];
  for (const [key, f] of level.fields) {
    const t = fieldType(table, f);
    if (t !== null) parts.push(`${quoteIdent(key)} ${t}`);
  }
  return parts.length ? `STRUCT(${parts.join(', ')})` : null;
}

function fieldType(table: TablePlan, f: FieldPlan): string | null {
  switch (f.kind) {
    case 'value': {
      const t = READ_TYPE[typeOf(table, f.column)];
      if (!t) throw new Error(`column type of ${f.column} has no raw form`);
      return t;
    }
    case 'duration':
      return 'VARCHAR';
    case 'object':
      return structType(table, f.level);
    case 'skip':
      return null;
    case 'child': {
      const child = f.child;
      if (child.def.valueColumn) return `${READ_TYPE[typeOf(child.table, child.def.valueColumn)]}[]`;
      const s = structType(child.table, child.table.root);
      return s ? `${s}[]` : 'JSON[]';
    }
  }
}

/** Column → SQL expression over `base` (a struct or row reference) for one level of a table. */
function levelExprs(level: LevelPlan, base: string, out: Map<string, string>): void {
  for (const [key, f] of level.fields) {
    const path = `${base}.${quoteIdent(key)}`;
    if (f.kind === 'value') out.set(f.column, path);
    else if (f.kind === 'duration') out.set(f.column, path).set(f.secondsColumn, durationSeconds(path));
    else if (f.kind === 'object' && structTypeHasFields(f.level)) levelExprs(f.level, path, out);
  }
  const fb = level.durationFallback;
  if (fb && out.has(fb.secondsColumn)) {
    const s = out.get(fb.startColumn)!;
    const e = out.get(fb.endColumn)!;
    const seconds = out.get(fb.secondsColumn)!;
    // Math.round of the difference in seconds (half up), as the normalizer computes it.
    out.set(fb.secondsColumn, `COALESCE(${seconds}, CAST(floor((epoch_ms(${e}) - epoch_ms(${s})) / 1000 + 0.5) AS BIGINT))`);
  }
}

function structTypeHasFields(level: LevelPlan): boolean {
  for (const f of level.fields.values()) if (f.kind !== 'skip' && (f.kind !== 'object' || structTypeHasFields(f.level))) return true;
  return false;
}

/** `PT[nH][nM][nS]` (the only form json-shape.ts lets through) → seconds. */
function durationSeconds(d: string): string {
  const part = (unit: string, factor: number) => `COALESCE(TRY_CAST(NULLIF(regexp_extract(${d}, '(\\d+)${unit}', 1), '') AS BIGINT), 0) * ${factor}`;
  return `CASE WHEN ${d} IS NOT NULL THEN ${part('H', 3600)} + ${part('M', 60)} + ${part('S', 1)} END`;
}

/** Stands for the list of page files in `select`. */
export const FILES = '\u0000files\u0000';

function readJson(columns: Iterable<string>): string {
  return `read_json(${FILES}, format = 'array', records = true, columns = {${[...columns].join(', ')}}) AS r`;
}

/**
 * Compiles a stream's plan (its shape, json-shape.ts, exists only when every column type has a
 * raw form). Each
 * table reads the page files itself, with only the fields it takes: one pass over the files per
 * table cost less than materializing the pages once (9.8 against 11.2 s at 1M entries), and a
 * table made and dropped per load inside the transaction kept its memory until the commit.
 */
export function compileJsonSql(plan: StreamPlan): JsonSql {
  const root = plan.table;
  const reads = new Map<string, string>();
  for (const [key, f] of root.root.fields) {
    const t = fieldType(root, f);
    if (t !== null) reads.set(key, `${quoteLiteral(key)}: ${quoteLiteral(t)}`);
  }
  const own = [...root.root.fields].filter(([key, f]) => f.kind !== 'child' && reads.has(key)).map(([key]) => key);
  const main = new Map<string, string>([['workspace_id', WS]]);
  levelExprs(root.root, 'r', main);
  // The root fields holding the key (all of the record's own fields when a key column is not one).
  const keyFields = root.schema.primaryKey.map((c) => [...root.root.fields].find(([, f]) => f.kind === 'value' && f.column === c)?.[0]);
  const keyReads = keyFields.every((k) => k !== undefined && reads.has(k)) ? (keyFields as string[]) : own;
  const tables: JsonTableSql[] = [tableSql(root.schema.name, main, `FROM ${readJson(own.map((k) => reads.get(k)!))}`)];
  for (const [key, f] of root.root.fields) {
    if (f.kind !== 'child' || !reads.has(key)) continue;
    tables.push(childSql(f.child, key, main, readJson([...new Set([...keyReads, key])].map((k) => reads.get(k)!))));
  }
  return { tables };
}

function tableSql(table: string, exprs: Map<string, string>, from: string): JsonTableSql {
  const columns = [...exprs.keys()];
  return { table, columns, select: `SELECT ${[...exprs.values()].join(', ')} ${from}` };
}

function childSql(child: ChildPlan, field: string, parent: Map<string, string>, read: string): JsonTableSql {
  const keys = child.parentColumns.map((p, i) => `${parent.get(p.from) ?? 'NULL'} AS _k${i}`);
  const valueColumn = child.def.valueColumn;
  // A list of values: each distinct value once, nulls left out (list_distinct does both), as the normalizer emits them.
  const list = valueColumn ? `list_distinct(r.${quoteIdent(field)})` : `r.${quoteIdent(field)}`;
  const inner = `(SELECT ${keys.join(', ')}, unnest(${list}) AS _v FROM ${read}) AS u`;
  const exprs = new Map<string, string>([['workspace_id', WS]]);
  child.parentColumns.forEach((p, i) => exprs.set(p.to, `u._k${i}`));
  if (valueColumn) {
    exprs.set(valueColumn, 'u._v');
    return tableSql(child.table.schema.name, exprs, `FROM ${inner}`);
  }
  levelExprs(child.table.root, 'u._v', exprs);
  return tableSql(child.table.schema.name, exprs, `FROM ${inner} WHERE u._v IS NOT NULL`);
}

/** A table's SELECT for a workspace and page files. */
export function selectFor(t: JsonTableSql, workspaceId: string, files: readonly string[]): string {
  return t.select.replaceAll(WS, quoteLiteral(workspaceId)).replaceAll(FILES, `[${files.map(quoteLiteral).join(', ')}]`);
}

/**
 * Where pages wait for read_json: files in a private temporary directory (made on first use,
 * removed with the database's close). A load's files are removed as soon as it has read them.
 */
export class PageFiles {
  private dir: string | undefined;
  private seq = 0;

  async write(pages: readonly Uint8Array[]): Promise<string[]> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'clockify-sync-pages-'));
    const files = pages.map(() => join(this.dir!, `${this.seq++}.json`));
    await Promise.all(pages.map((p, i) => writeFile(files[i], p)));
    return files;
  }

  remove(files: readonly string[]): void {
    for (const f of files) rmSync(f, { force: true });
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
