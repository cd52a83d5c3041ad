import { totalmem } from 'node:os';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { SyncError } from '../errors.ts';
import { DELETED_AT, LOADED_AT, type ColumnType, type Row, type TableSchema } from '../normalize/table-schema.ts';
import type { SchemaChange } from './destination.ts';
import { DUCKDB_SQL_TYPE, columnSql, columnTypeOfDuckDB, fromReadValue, readExpr } from './duckdb-values.ts';
import { quoteIdent } from './sql-names.ts';
import { PageFiles } from './duckdb-flat.ts';

/** Rows staged and milliseconds per load phase. */
export interface LoadStats {
  stagedRows: number;
  /** Flat pages handed over (writeFlat). */
  flatPages: number;
  /** Rows of flat pages inserted straight into their tables, and the time it took (checks included). */
  directRows: number;
  directMs: number;
  /** Of directMs and stageMs: the checks deciding between them. */
  checkMs: number;
  stageMs: number;
  mergeMs: number;
  reconcileMs: number;
  childrenMs: number;
  commitMs: number;
}

export function emptyLoadStats(): LoadStats {
  return { stagedRows: 0, flatPages: 0, directRows: 0, directMs: 0, checkMs: 0, stageMs: 0, mergeMs: 0, reconcileMs: 0, childrenMs: 0, commitMs: 0 };
}

/**
 * DuckDB settings a destination starts with (any can be overridden through `config`). DuckDB's
 * allocator keeps up to 128 MB of freed memory per flush by default; a sync frees memory in a
 * steady stream, so it is handed back at 8 MB. (Not `allocator_bulk_deallocation_flush_threshold`
 * as well: at 8 MB it made read_json of the raw time-entry pages 2.7 times as costly, 11.0
 * against 4.1 s of CPU for 642 MB of pages.)
 */
export const DUCKDB_DEFAULTS: Record<string, string> = {
  allocator_flush_threshold: '8MB',
  // A bulk insert writes each row group out as soon as it is full, instead of buffering five;
  // the allocator's background thread hands freed memory back while the sync goes on. At 1M
  // entries (direct flat loads) the insert was faster (3.4 against 4.1 s) and the peak lower.
  write_buffer_row_group_count: '1',
  allocator_background_threads: 'true',
};

/**
 * For a database file: DuckDB's own default memory limit is 80 % of the machine's RAM, and it
 * keeps every block it wrote cached up to that. A sync needs little of it (each block is written
 * once); staging and merges larger than the limit spill to `<file>.tmp`. At 1M entries the
 * native memory at the peak went from ~500 to ~340 MB at the same speed with 128 MB; direct flat
 * loads (one thread, see duckdb-flat-loads.ts) need less: 80 MB took the peak from about 400
 * to 365 MB, and 64 MB to 367–374 MB against 375–390 at 80 (4 runs each, alternated). Merges at
 * 64 MB: see bench/duckdb-merge-memory.ts. (Not for `:memory:`: its data has nowhere to spill.)
 */
export const DUCKDB_FILE_DEFAULTS: Record<string, string> = {
  memory_limit: '64MB',
};

/**
 * A transaction staging more rows than this (a full resync held in one transaction) lifts the
 * default limit above to DuckDB's own: its child replacement and merges join millions of keys,
 * more than 128 MB holds (measured: a 1M-entry resync fails at 128 MB).
 */
export const LARGE_TRANSACTION_ROWS = 500_000;

/**
 * A merge that compares more stored rows than this (a large update window, a resync) lifts it
 * too: updating 100,000 stored rows of a 1M-row table ran out of 128 MB.
 */
export const LARGE_MERGE_STORED_ROWS = 50_000;

/** A stored table as the database describes it. */
export interface StoredTable {
  columns: { name: string; type: ColumnType | null; dataType: string }[];
  primaryKey: string[];
}

/**
 * One DuckDB database and the data tables in one schema of it: table creation and evolution,
 * description and reading. Shared by the DuckDB destination and the file destinations (which
 * keep their working copy in an in-memory DuckDB). Transactions live in duckdb-tx.ts.
 */
export class DuckDBCore {
  /** Schemas passed to ensureTables, by table name. */
  readonly schemas = new Map<string, TableSchema>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Cumulative rows staged and time spent staging, merging and committing (benchmarks read these). */
  readonly stats: LoadStats = emptyLoadStats();
  /** CSV files of flat pages waiting for read_csv (duckdb-flat.ts). */
  readonly pageFiles = new PageFiles();
  /** The transaction begun and not yet committed or rolled back (see DuckDBTransaction.begin). */
  openTransaction: object | null = null;
  /** True while a transaction is open on `con` (DDL then belongs to it). */
  inTransaction = false;
  /** Schemas ensured while a transaction was open: re-applied if it rolls back. */
  ensuredInTransaction: TableSchema[] = [];
  /** How a rolled-back ensure is applied again (the file destinations also re-import the file). */
  reapply: (t: TableSchema) => Promise<unknown> = (t) => this.ensureTable(t);

  private constructor(
    readonly instance: DuckDBInstance,
    readonly con: DuckDBConnection,
    readonly schema: string,
  ) {}

  /** True while the memory limit is this destination's default (not the user's, not yet lifted). */
  private memoryLimitLiftable = false;

  /**
   * DuckDB's default memory limit for as long as the database is open (no-op when the user set
   * a limit). Called by the first large transaction or merge: lowering the limit again under
   * memory DuckDB still holds made the next append fail.
   */
  async liftMemoryLimit(): Promise<void> {
    if (!this.memoryLimitLiftable) return;
    this.memoryLimitLiftable = false;
    // DuckDB's own default, 80 % of the RAM (RESET would restore the limit the database opened with).
    await this.run(`SET memory_limit = '${Math.floor((totalmem() * 0.8) / 1048576)}MB'`);
  }

  /**
   * Declare PRIMARY KEY constraints on data tables (off unless asked for: merges keep keys
   * unique, and the index would cost memory and time). The key is named in a table comment.
   */
  declarePrimaryKeys = false;

  static async open(path: string, schema = 'main', config: Record<string, string> = {}): Promise<DuckDBCore> {
    let instance: DuckDBInstance;
    let liftable = false;
    try {
      instance = await DuckDBInstance.create(path, { ...DUCKDB_DEFAULTS, ...(path === ':memory:' ? {} : DUCKDB_FILE_DEFAULTS), ...config });
      liftable = path !== ':memory:' && config.memory_limit === undefined;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const locked = /lock/i.test(msg);
      throw new SyncError(
        locked ? 'DESTINATION_LOCKED' : 'DESTINATION_OPEN_FAILED',
        locked ? `DuckDB file ${path} is in use by another process` : `Cannot open DuckDB database ${path}: ${msg}`,
        { kind: 'destination', cause: err, hint: locked ? 'Close the other program (or sync) using the file and retry.' : undefined },
      );
    }
    const con = await instance.connect();
    const core = new DuckDBCore(instance, con, schema);
    core.memoryLimitLiftable = liftable;
    // Timestamps are formatted in UTC wherever text is produced (file exports).
    await con.run(`SET TimeZone = 'UTC'`).catch(() => {});
    if (schema !== 'main') await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const [{ v }] = await core.rows(`SELECT current_setting('disabled_optimizers') AS v`);
    core.disabledOptimizers = String(v ?? '').replace(/'/g, "''");
    return core;
  }

  /** `"schema"."table"` */
  qualified(table: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(table)}`;
  }

  /** Run `fn` after every earlier call finished (one statement stream per connection). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new SyncError('DESTINATION_CLOSED', 'The destination is closed', { kind: 'destination' });
      return fn();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async run(sql: string, values?: DuckDBValue[]): Promise<number> {
    const result = await this.con.run(sql, values);
    return result.rowsChanged;
  }

  /** disabled_optimizers as the database opened with it (a user's config may set it). */
  private disabledOptimizers = '';

  /**
   * Run a statement whose joins must build their hash tables on the side written second (an
   * EXISTS subquery's keys). DuckDB's build-side optimizer swaps the sides by estimated size, and
   * it estimates no rows for tables created in the open transaction: a merge's insert of 100,000
   * new rows then built on all 120,000 staged rows, every column, and ran out of 80 MB; a child
   * replacement built on the stored children. Used by the merge and the child replacement.
   */
  async runBuildingOnKeys(sql: string): Promise<number> {
    const off = [this.disabledOptimizers, 'build_side_probe_side'].filter(Boolean).join(',');
    await this.con.run(`SET disabled_optimizers = '${off}'`);
    this.optimizerSwapOff = true;
    const changed = await this.run(sql);
    await this.restoreOptimizers();
    return changed;
  }

  /** The build-side optimizer is off: a failed statement left it so (its transaction aborted). */
  private optimizerSwapOff = false;

  private async restoreOptimizers(): Promise<void> {
    await this.con.run(`SET disabled_optimizers = '${this.disabledOptimizers}'`);
    this.optimizerSwapOff = false;
  }

  async rows(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.con.runAndReadAll(sql, values);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  async describe(table: string): Promise<StoredTable | null> {
    const cols = await this.rows(
      `SELECT column_name, data_type FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index`,
      [this.schema, table],
    );
    if (cols.length === 0) return null;
    const cons = await this.rows(
      `SELECT constraint_column_names AS cols FROM duckdb_constraints()
       WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'`,
      [this.schema, table],
    );
    let primaryKey = cons.length ? (cons[0].cols as string[]).map(String) : [];
    if (!primaryKey.length) {
      // Not declared: the key written in the table's comment at creation.
      const [t] = await this.rows(
        `SELECT comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2`,
        [this.schema, table],
      );
      const m = /primary key \(([^)]*)\)/.exec(String(t?.comment ?? ''));
      if (m) primaryKey = m[1].split(', ');
    }
    return {
      columns: cols.map((c) => ({ name: String(c.column_name), dataType: String(c.data_type), type: columnTypeOfDuckDB(String(c.data_type)) })),
      primaryKey,
    };
  }

  /** Create missing tables, add missing columns, report type differences. Never drops. */
  async ensureTables(tables: TableSchema[]): Promise<SchemaChange[]> {
    const changes: SchemaChange[] = [];
    for (const t of tables) changes.push(...(await this.ensureTable(t)));
    return changes;
  }

  async ensureTable(t: TableSchema): Promise<SchemaChange[]> {
    validateSchema(t);
    if (this.inTransaction) this.ensuredInTransaction.push(t);
    const stored = await this.describe(t.name);
    const changes: SchemaChange[] = [];
    if (!stored) {
      const cols = t.columns.map((c) => `${columnSql(c)}${t.primaryKey.includes(c.name) ? ' NOT NULL' : ''}`);
      cols.push(`${quoteIdent(LOADED_AT)} TIMESTAMP WITH TIME ZONE`, `${quoteIdent(DELETED_AT)} TIMESTAMP WITH TIME ZONE`);
      if (this.declarePrimaryKeys) cols.push(`PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')})`);
      await this.run(`CREATE TABLE IF NOT EXISTS ${this.qualified(t.name)} (${cols.join(', ')})`);
      const key = `clockify-sync: primary key (${t.primaryKey.join(', ')})${this.declarePrimaryKeys ? '' : ', kept unique by the merge (not declared)'}`;
      await this.run(`COMMENT ON TABLE ${this.qualified(t.name)} IS '${key.replaceAll("'", "''")}'`);
      changes.push({ table: t.name, kind: 'created' });
    } else {
      const have = new Map(stored.columns.map((c) => [c.name, c]));
      for (const c of t.columns) {
        const s = have.get(c.name);
        if (!s) {
          await this.run(`ALTER TABLE ${this.qualified(t.name)} ADD COLUMN ${columnSql(c)}`);
          changes.push({ table: t.name, kind: 'column-added', column: c.name });
        } else if (s.type !== c.type) {
          changes.push({ table: t.name, kind: 'type-mismatch', column: c.name, detail: `stored as ${s.dataType}, catalog says ${c.type} (${DUCKDB_SQL_TYPE[c.type]}); left as stored` });
        }
      }
      for (const meta of [LOADED_AT, DELETED_AT]) {
        if (!have.has(meta)) await this.run(`ALTER TABLE ${this.qualified(t.name)} ADD COLUMN ${quoteIdent(meta)} TIMESTAMP WITH TIME ZONE`);
      }
    }
    this.schemas.set(t.name, t);
    return changes;
  }

  /** After a rollback: DDL run inside the transaction is gone; apply it again (outside any transaction). */
  async reapplyAfterRollback(): Promise<TableSchema[]> {
    if (this.optimizerSwapOff) await this.restoreOptimizers();
    const again = this.ensuredInTransaction;
    this.ensuredInTransaction = [];
    for (const t of again) await this.reapply(t);
    return again;
  }

  schemaOf(table: string): TableSchema {
    const s = this.schemas.get(table);
    if (!s) {
      throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${table}" was not passed to ensureTables before writing`, { kind: 'destination' });
    }
    return s;
  }

  /** Tables whose `parent.table` is `table`. */
  childrenOf(table: string): TableSchema[] {
    return [...this.schemas.values()].filter((s) => s.parent?.table === table);
  }

  /**
   * Committed rows of a table, ordered by primary key, in the canonical read form. Reads on a
   * connection of its own, so it never sees an open transaction's rows.
   */
  async *readTable(table: string): AsyncGenerator<Row> {
    const stored = await this.serial(() => this.describe(table));
    if (!stored) throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${table}" does not exist`, { kind: 'destination' });
    const key = this.schemas.get(table)?.primaryKey ?? stored.primaryKey;
    const select = stored.columns.map((c) => `${readExpr(c.name, quoteIdent(c.name), c.type)} AS ${quoteIdent(c.name)}`).join(', ');
    const order = key.length ? ` ORDER BY ${key.map(quoteIdent).join(', ')}` : '';
    const con = await this.instance.connect();
    try {
      const result = await con.stream(`SELECT ${select} FROM ${this.qualified(table)}${order}`);
      const names = stored.columns.map((c) => c.name);
      const types = stored.columns.map((c) => c.type);
      for await (const batch of result.yieldRowsJs()) {
        for (const values of batch) {
          const row: Row = {};
          for (let i = 0; i < names.length; i++) row[names[i]] = fromReadValue(types[i], values[i]);
          yield row;
        }
      }
    } finally {
      con.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.pageFiles.close();
    try {
      this.con.closeSync();
    } finally {
      this.instance.closeSync();
    }
  }
}

function validateSchema(t: TableSchema): void {
  const names = new Set(t.columns.map((c) => c.name));
  const fail = (why: string) => new SyncError('DESTINATION_BAD_SCHEMA', `Table "${t.name}": ${why}`, { kind: 'destination' });
  if (names.size !== t.columns.length) throw fail('duplicate column names');
  if (names.has(LOADED_AT) || names.has(DELETED_AT)) throw fail(`${LOADED_AT} and ${DELETED_AT} are reserved`);
  if (!t.primaryKey.length) throw fail('no primary key');
  for (const k of t.primaryKey) if (!names.has(k)) throw fail(`primary key column "${k}" is not a column`);
  for (const c of t.columns) if (!(c.type in DUCKDB_SQL_TYPE)) throw fail(`column "${c.name}" has unknown type ${c.type}`);
  if (t.parent) {
    for (const c of t.parent.columns) if (!names.has(c)) throw fail(`parent column "${c}" is not a column`);
  }
}
