/**
 * Flat pages handed to a DuckDB transaction (`writeFlat`): their CSV goes to files at once, and
 * the database reads them at commit. When none of their keys is stored yet and none repeats (a
 * first sync, the bulk of any large load), each table's files are read by one
 * `INSERT … SELECT … FROM read_csv(...)` straight into the table: no staging table, no merge, no
 * child replacement. Otherwise they take the staging path every other write takes
 * (duckdb-tx.ts).
 *
 * Measured at 1M entries (385 pages): the staged path cost DuckDB 17–19 s, the direct one about
 * 10 s, and a sync no longer waits while DuckDB loads (see `deferredFlatPages`).
 */
import type { FlatPages } from './destination.ts';
import type { DuckDBCore } from './duckdb-core.ts';
import { flatSqlFor } from './duckdb-flat.ts';
import { joinOn, joinPairs, quoteIdent } from './sql-names.ts';
import type { FlatShape } from '../normalize/json-flatten.ts';
import { DELETED_AT, LOADED_AT, type TableSchema } from '../normalize/table-schema.ts';

/** One `writeFlat` call: its shape and workspace, and per table of the shape its files (one per page with rows for it). */
export interface FlatLoad {
  shape: FlatShape;
  workspaceId: string;
  files: string[][];
  /** Per table: its largest file, which no CSV line can exceed. */
  longest: number[];
}

/** The flat loads of one transaction, waiting for commit. */
export class PendingFlat {
  private loads: Promise<FlatLoad>[] = [];
  private readonly tables = new Set<string>();

  constructor(private readonly core: DuckDBCore) {}

  get size(): number {
    return this.loads.length;
  }

  /** True when a pending load is of a shape that has `table`. */
  touches(table: string): boolean {
    return this.tables.has(table);
  }

  /** Writes the job's CSV to files and keeps them for the commit; resolves once they are written. */
  add(job: FlatPages): Promise<void> {
    for (const t of job.shape.tables) this.tables.add(t.table);
    const parts = job.shape.tables.map((_, t) => job.pages.map((p) => p[t]).filter((p) => p.length > 0));
    const load = Promise.all(parts.map((p) => this.core.pageFiles.write(p))).then((files) => ({
      shape: job.shape,
      workspaceId: job.workspaceId,
      files,
      longest: parts.map((p) => p.reduce((max, b) => Math.max(max, b.length), 0)),
    }));
    this.loads.push(load);
    load.catch(() => {}); // a failed write is reported by the caller of `add` and again by `take`
    return load.then(() => {});
  }

  /** Every pending load (their files written), in the order they came; the list empties. */
  async take(): Promise<FlatLoad[]> {
    const loads = this.loads;
    this.loads = [];
    this.tables.clear();
    return Promise.all(loads);
  }

  /** Removes the files of every pending load (a rollback). */
  discard(): void {
    for (const l of this.loads) l.then((load) => this.remove(load), () => {});
    this.loads = [];
    this.tables.clear();
  }

  remove(load: FlatLoad): void {
    for (const f of load.files) this.core.pageFiles.remove(f);
  }
}

/**
 * The SELECTs reading `table` from the loads (target column names, the workspace id first): one
 * per shape and workspace, reading all their files at once.
 */
function selectsOf(loads: FlatLoad[], table: string): { columns: string[]; sql: string }[] {
  // Shapes with the same columns for the table read alike (a plan's shape is remade when it changes).
  const groups = new Map<string, { shape: FlatShape; t: number; workspaceId: string; files: string[]; longest: number }>();
  for (const load of loads) {
    const t = load.shape.tables.findIndex((x) => x.table === table);
    if (t < 0 || load.files[t].length === 0) continue;
    const id = JSON.stringify([load.workspaceId, load.shape.tables[t].columns]);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { shape: load.shape, t, workspaceId: load.workspaceId, files: [], longest: 0 }));
    g.files.push(...load.files[t]);
    g.longest = Math.max(g.longest, load.longest[t]);
  }
  return [...groups.values()].map((g) => {
    const sql = flatSqlFor(g.shape)[g.t];
    return { columns: sql.columns, sql: sql.select(g.workspaceId, g.files, g.longest) };
  });
}

/** The key columns of `table` in every load, as one UNION ALL (null when no load has rows for it). */
function keysOf(loads: FlatLoad[], table: string, key: string[]): string | null {
  const parts = selectsOf(loads, table).map(({ columns, sql }) =>
    `SELECT ${key.map(quoteIdent).join(', ')} FROM (${sql}) AS x(${columns.map(quoteIdent).join(', ')})`);
  return parts.length === 0 ? null : parts.join(' UNION ALL ');
}

/**
 * True when the loads can go straight into their tables: no parent key repeats among them or is
 * stored, and no stored child row belongs to a parent they write (so there is nothing to merge
 * and no child to replace). Child keys need no check of their own: a child's key holds its
 * parent's, and a flat page never repeats a child key under one parent (json-flatten.ts). The
 * checks run one by one, each small enough for the default memory limit, and stop at the first
 * that fails; the parents' keys are read once, into a temp table.
 */
export async function insertableDirectly(core: DuckDBCore, loads: FlatLoad[]): Promise<boolean> {
  const schemas = new Map(tableNames(loads).map((n) => [n, core.schemaOf(n)]));
  const none = async (sql: string) => Number(Object.values((await core.rows(sql))[0])[0]) === 0;
  const parents = new Map<string, string>();
  try {
    for (const [name, schema] of schemas) {
      if (schema.parent) {
        const parent = parents.get(schema.parent.table);
        // Children without their parents here, or whose key does not hold the parent's: the staged path.
        if (!parent) {
          if (selectsOf(loads, name).length === 0) continue;
          return false;
        }
        if (!parentInKey(schema)) return false;
        // A stored child of a written parent (possible only for a parent stored without it; a
        // stored child with a written child's key is one) would need replacing.
        const on = joinPairs(schema.parent.columns, 'c', schemas.get(schema.parent.table)!.primaryKey, 'p');
        if (!(await none(`SELECT count(*) FROM ${core.qualified(name)} AS c WHERE EXISTS (SELECT 1 FROM ${parent} AS p WHERE ${on})`))) return false;
        continue;
      }
      const keys = keysOf(loads, name, schema.primaryKey);
      if (keys === null) continue;
      const temp = `_cs_fk${parents.size}`;
      const pk = schema.primaryKey.map(quoteIdent).join(', ');
      await core.run(`CREATE OR REPLACE TEMP TABLE ${temp} AS ${keys}`);
      parents.set(name, temp);
      // Keys seen more than once (a grouping, which can spill to disk, unlike count(DISTINCT)).
      if (!(await none(`SELECT count(*) FROM (SELECT 1 FROM ${temp} GROUP BY ${pk} HAVING count(*) > 1)`))) return false;
      if (!(await none(`SELECT count(*) FROM ${temp} AS s JOIN ${core.qualified(name)} AS t ON ${joinOn(schema.primaryKey, 't', 's')}`))) return false;
    }
    return true;
  } finally {
    for (const temp of parents.values()) await core.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}

/** A child whose key holds its parent's key columns: a stored row with one of its keys is a stored child of that parent. */
function parentInKey(schema: TableSchema): boolean {
  return schema.parent!.columns.every((c) => schema.primaryKey.includes(c));
}

/**
 * Inserts every table of the loads straight into its table (after `insertableDirectly`), with
 * `loadedAt`; returns the rows inserted per table.
 *
 * Insertion order is not kept, so that row groups are written out as they fill, and one thread
 * writes them. Measured on 1M entries in commits of about 270,000, 2 vCPUs, insert then final
 * checkpoint: in order, 7.4 + 0.9 s; not in order, two threads, 3.7 + 2.1 s (10.4 s of CPU: each
 * thread leaves a partial row group per statement, which the checkpoint merges); not in order,
 * one thread, 5.9 + 1.4 s (7.3 s of CPU, and less memory). A sync keeps the other core busy, so
 * the CPU counts.
 */
export async function insertDirectly(core: DuckDBCore, loads: FlatLoad[], loadedAtSql: string): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  await core.run('SET preserve_insertion_order = false');
  await core.run('SET threads = 1');
  try {
    for (const name of tableNames(loads)) {
      // One statement per shape and workspace (a learned field starts a new shape).
      for (const { columns, sql } of selectsOf(loads, name)) {
        const n = await core.run(`INSERT INTO ${core.qualified(name)} (${columns.map(quoteIdent).join(', ')}, ${quoteIdent(LOADED_AT)}, ${quoteIdent(DELETED_AT)})
          SELECT *, ${loadedAtSql}, NULL FROM (${sql})`);
        inserted.set(name, (inserted.get(name) ?? 0) + n);
      }
    }
  } finally {
    await core.run('RESET threads');
    await core.run('RESET preserve_insertion_order');
  }
  return inserted;
}

/** The tables of the loads' shapes, parents first (a shape lists its stream's table first). */
function tableNames(loads: FlatLoad[]): string[] {
  return [...new Set(loads.flatMap((l) => l.shape.tables.map((t) => t.table)))];
}
