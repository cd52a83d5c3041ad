import type { FlatShape } from '../normalize/json-flatten.ts';
import type { Row, TableSchema } from '../normalize/table-schema.ts';

/**
 * One small interface per destination; every implementation is held to the shared
 * conformance suite in test/destination-conformance.test.ts.
 *
 * Life cycle: open → ensureTables → (begin → write… → reconcile… → commit)* → close.
 * Everything written in a transaction becomes visible atomically at commit, together with
 * the state records of that transaction; a crash before commit leaves the previous state.
 */
export interface Destination {
  /** e.g. "duckdb:./clockify.duckdb" with any secret removed. */
  readonly description: string;
  /**
   * Hints for the loader. `rewritesOnCommit`: every commit rewrites the whole file of each
   * changed table (csv, jsonl, parquet, xlsx), so commit once per stream or run, not per page.
   * `flatPages`: its transactions have `writeFlat`. `deferredFlatPages`: `writeFlat` only puts
   * the pages aside (in files) and the database loads them at commit, and `begin()` runs no
   * statement, so a transaction may begin and take flat pages as soon as the previous one's
   * `commit()` has been called, while that commit runs.
   */
  readonly capabilities?: { rewritesOnCommit?: boolean; flatPages?: boolean; deferredFlatPages?: boolean };
  open(): Promise<void>;
  /** Create missing tables, add missing columns (never drop); returns what changed. */
  ensureTables(tables: TableSchema[]): Promise<SchemaChange[]>;
  /** All committed state records. */
  readState(): Promise<StateRecord[]>;
  /** Remove state records (all, or those of one stream). */
  resetState(filter?: { stream?: string; workspaceId?: string }): Promise<number>;
  begin(): Promise<Transaction>;
  /** Record a run in `_clockify_sync_runs` (insert or update by run id). */
  recordRun(run: RunRecord): Promise<void>;
  /**
   * Read committed rows back (for tests, `preview` and summaries): all rows of a table, ordered
   * by primary key, metadata columns included. Values come back in one canonical form whatever
   * the destination: text → string, bigint → number (a JS bigint beyond 2^53), double and
   * decimal → number, boolean → boolean, timestamptz → Date, date → 'YYYY-MM-DD', json → the
   * parsed JSON value, missing → null. Not to be called while a transaction is open.
   */
  readTable(table: string): AsyncIterable<Row>;
  /** Runs recorded with `recordRun`, oldest first (optional: used by `status`). */
  readRuns?(): Promise<RunRecord[]>;
  /** What the last run covered, for destinations that show it to people (Excel's About sheet). */
  setRunInfo?(info: RunInfo): Promise<void>;
  close(): Promise<void>;
}

export interface Transaction {
  /**
   * Upsert rows by primary key (the table must have been passed to `ensureTables`). A row whose
   * values equal the stored ones is left untouched (its `_loaded_at` does not move). Within one
   * call the last row of a repeated key wins. A column missing from a row is null; a key that
   * is not a column of the table is an error (SyncError DESTINATION_UNKNOWN_COLUMN), never
   * silently dropped.
   *
   * Child tables: at commit, for every parent key written in this transaction (to the parent
   * table, or referenced by child rows written to the child table), stored children not written
   * in this transaction are deleted — so a list that shrank or became empty is replaced.
   */
  write(table: string, rows: Row[]): Promise<void>;
  /**
   * Optional (`capabilities.flatPages`): flat pages of a stream (json-flatten.ts: raw JSON pages
   * that fit the plan's shape, as CSV per table), written as `write` would write the rows the
   * normalizer makes of them (the stream's table and its child tables). Once the returned
   * promise resolves, the pages' buffers are the caller's again (they are reused for later
   * pages): the destination keeps nothing that reads them.
   */
  writeFlat?(job: FlatPages): Promise<void>;
  /**
   * Rows of `table` matching `scope` whose primary key was not written in this transaction
   * are deleted (`hard`) or get `_deleted_at` set (`soft`). Soft-deleted rows written again
   * lose their `_deleted_at`. Returns the number of rows affected in `table` (already
   * soft-deleted rows are not counted again). Child rows of deleted parents follow their parent
   * (and count as deleted in their own table). Scope columns must be columns of `table`.
   */
  reconcile(table: string, scope: Scope, deletes: 'soft' | 'hard'): Promise<number>;
  /** State records committed with this transaction's rows. */
  setState(records: StateRecord[]): void;
  /** Per table: rows inserted, updated (values changed), unchanged, deleted. */
  commit(): Promise<Record<string, WriteCounts>>;
  rollback(): Promise<void>;
}

/** Flat pages of one stream and workspace, all made with one shape (its tables and columns). */
export interface FlatPages {
  shape: FlatShape;
  workspaceId: string;
  /** Per page, the CSV of each table of the shape. */
  pages: Uint8Array[][];
}

/** Equality filters plus an optional half-open time range [from, to) on one timestamp column. */
export interface Scope {
  equals: Record<string, string | number | boolean>;
  range?: { column: string; from?: Date; to?: Date };
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface StateRecord {
  workspaceId: string;
  stream: string;
  /** '' when the stream has one partition per workspace. */
  partition: string;
  /** A JSON-serializable cursor. */
  cursor: unknown;
  updatedAt: Date;
}

export interface SchemaChange {
  table: string;
  kind: 'created' | 'column-added' | 'type-mismatch';
  column?: string;
  detail?: string;
}

export interface RunInfo {
  workspaces?: Array<string | { id: string; name?: string }>;
  range?: { from?: Date | string | null; to?: Date | string | null };
  mode?: string;
  notes?: string[];
}

export interface RunRecord {
  runId: string;
  startedAt: Date;
  endedAt: Date | null;
  status: 'running' | 'succeeded' | 'failed' | 'incomplete';
  mode: string;
  rowsPerTable: Record<string, number>;
  requests: number;
  error?: string | null;
}

/** Adds per-table counts (from `Transaction.commit()`) into a running total. */
export function addWriteCounts(into: Record<string, WriteCounts>, from: Record<string, WriteCounts>): void {
  for (const [table, c] of Object.entries(from)) {
    const t = (into[table] ??= { inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
    t.inserted += c.inserted;
    t.updated += c.updated;
    t.unchanged += c.unchanged;
    t.deleted += c.deleted;
  }
}
