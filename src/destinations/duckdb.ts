import type { DuckDBValue } from '@duckdb/node-api';
import { SyncError } from '../errors.ts';
import type { Row, TableSchema } from '../normalize/table-schema.ts';
import type { Destination, RunRecord, SchemaChange, StateRecord, Transaction } from './destination.ts';
import { DuckDBCore, emptyLoadStats, type LoadStats } from './duckdb-core.ts';
import { DuckDBTransaction } from './duckdb-tx.ts';
import { quoteIdent } from './sql-names.ts';

export const STATE_TABLE = '_clockify_sync_state';
export const RUNS_TABLE = '_clockify_sync_runs';

export interface DuckDBDestinationOptions {
  /** Schema inside the database (default `main`). */
  schema?: string;
  /** Clock for `_loaded_at` / `_deleted_at` (tests). */
  now?: () => Date;
  /** DuckDB configuration options (e.g. `{ threads: '2' }`). */
  config?: Record<string, string>;
  /**
   * Declare PRIMARY KEY constraints on data tables (default false: the merge keeps keys unique,
   * and DuckDB would keep the constraint's index in memory, ~600 MB per million entries, and
   * load a quarter slower). The key is always named in the table's comment.
   */
  primaryKeys?: boolean;
}

/** The DuckDB destination plus its load timings (for benchmarks and summaries). */
export interface DuckDBDestination extends Destination {
  /** Rows staged and the milliseconds spent staging, merging and committing (see LoadStats). */
  stats(): LoadStats;
}

/**
 * The DuckDB destination: one database file (or `:memory:`). Data tables, the sync state and the
 * run log live in the same database, so rows and state commit in one transaction.
 */
export function createDuckDBDestination(path: string, options: DuckDBDestinationOptions = {}): DuckDBDestination {
  const now = options.now ?? (() => new Date());
  const schema = options.schema ?? 'main';
  let core: DuckDBCore | null = null;
  let lastStats = emptyLoadStats();
  const need = (): DuckDBCore => {
    if (!core) throw new SyncError('DESTINATION_NOT_OPEN', 'The destination is not open', { kind: 'destination' });
    return core;
  };
  const q = (t: string) => need().qualified(t);

  return {
    description: `duckdb:${path}${schema !== 'main' ? ` (schema ${schema})` : ''}`,
    capabilities: { flatPages: true, deferredFlatPages: true },

    async open() {
      if (core) return;
      core = await DuckDBCore.open(path, schema, options.config);
      core.declarePrimaryKeys = options.primaryKeys ?? false;
      const c = core;
      await c.serial(async () => {
        await c.run(`CREATE TABLE IF NOT EXISTS ${q(STATE_TABLE)} (
          workspace_id VARCHAR NOT NULL, stream VARCHAR NOT NULL, "partition" VARCHAR NOT NULL,
          cursor JSON, updated_at TIMESTAMP WITH TIME ZONE,
          PRIMARY KEY (workspace_id, stream, "partition"))`);
        await c.run(`CREATE TABLE IF NOT EXISTS ${q(RUNS_TABLE)} (
          run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP WITH TIME ZONE, ended_at TIMESTAMP WITH TIME ZONE,
          status VARCHAR, mode VARCHAR, rows_per_table JSON, requests BIGINT, error VARCHAR)`);
      });
    },

    ensureTables(tables: TableSchema[]): Promise<SchemaChange[]> {
      const c = need();
      return c.serial(() => c.ensureTables(tables));
    },

    async readState(): Promise<StateRecord[]> {
      const c = need();
      const rows = await c.serial(() => c.rows(
        `SELECT workspace_id, stream, "partition", CAST(cursor AS VARCHAR) AS cursor, updated_at FROM ${q(STATE_TABLE)} ORDER BY 1, 2, 3`));
      return rows.map((r) => ({
        workspaceId: String(r.workspace_id),
        stream: String(r.stream),
        partition: String(r.partition),
        cursor: r.cursor === null ? null : JSON.parse(String(r.cursor)),
        updatedAt: r.updated_at as Date,
      }));
    },

    resetState(filter = {}): Promise<number> {
      const c = need();
      const where: string[] = [];
      const values: DuckDBValue[] = [];
      if (filter.stream !== undefined) {
        values.push(filter.stream);
        where.push(`stream = $${values.length}`);
      }
      if (filter.workspaceId !== undefined) {
        values.push(filter.workspaceId);
        where.push(`workspace_id = $${values.length}`);
      }
      return c.serial(() => c.run(`DELETE FROM ${q(STATE_TABLE)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`, values));
    },

    begin(): Promise<Transaction> {
      const c = need();
      return DuckDBTransaction.begin(c, now(), {
        beforeCommit: async ({ state }) => {
          // One statement for all the records (each statement waits for a turn of the JS thread).
          if (state.length === 0) return;
          const values: DuckDBValue[] = [];
          const tuples = state.map((r) => {
            const n = values.push(r.workspaceId, r.stream, r.partition, JSON.stringify(r.cursor ?? null), r.updatedAt.toISOString());
            return `($${n - 4}, $${n - 3}, $${n - 2}, CAST($${n - 1} AS JSON), CAST($${n} AS TIMESTAMPTZ))`;
          });
          await c.run(
            `INSERT INTO ${q(STATE_TABLE)} (workspace_id, stream, "partition", cursor, updated_at) VALUES ${tuples.join(', ')}
             ON CONFLICT (workspace_id, stream, "partition") DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
            values,
          );
        },
      }, true);
    },

    recordRun(run: RunRecord): Promise<void> {
      const c = need();
      // On a connection of its own: a run record never joins (or rolls back with) a data transaction.
      return c.serial(async () => {
        const con = await c.instance.connect();
        try {
          await con.run(
          `INSERT INTO ${q(RUNS_TABLE)} (run_id, started_at, ended_at, status, mode, rows_per_table, requests, error)
           VALUES ($1, CAST($2 AS TIMESTAMPTZ), CAST($3 AS TIMESTAMPTZ), $4, $5, CAST($6 AS JSON), CAST($7 AS BIGINT), $8)
           ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at,
             status = excluded.status, mode = excluded.mode, rows_per_table = excluded.rows_per_table,
             requests = excluded.requests, error = excluded.error`,
          [run.runId, run.startedAt.toISOString(), run.endedAt ? run.endedAt.toISOString() : null, run.status, run.mode,
            JSON.stringify(run.rowsPerTable), run.requests, run.error ?? null],
          );
        } finally {
          con.closeSync();
        }
      });
    },

    async readRuns(): Promise<RunRecord[]> {
      const c = need();
      const rows = await c.serial(() => c.rows(
        `SELECT run_id, started_at, ended_at, status, mode, CAST(rows_per_table AS VARCHAR) AS rpt, requests, error
         FROM ${q(RUNS_TABLE)} ORDER BY started_at, run_id`));
      return rows.map(runFromRow);
    },

    readTable(table: string): AsyncIterable<Row> {
      return need().readTable(table);
    },

    stats() {
      return { ...(core ? core.stats : lastStats) };
    },

    async close() {
      const c = core;
      core = null;
      if (c) {
        lastStats = { ...c.stats };
        await c.close();
      }
    },
  };
}

export function runFromRow(r: Record<string, unknown>): RunRecord {
  return {
    runId: String(r.run_id),
    startedAt: r.started_at as Date,
    endedAt: (r.ended_at as Date | null) ?? null,
    status: String(r.status) as RunRecord['status'],
    mode: String(r.mode),
    rowsPerTable: r.rpt ? JSON.parse(String(r.rpt)) : {},
    requests: Number(r.requests ?? 0),
    error: (r.error as string | null) ?? null,
  };
}

