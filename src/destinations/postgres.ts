/**
 * PostgreSQL destination: `--destination postgres://user@host:5432/db`, tables in a schema
 * (default `clockify`, created if missing). Rows are COPYed into temporary staging tables and
 * merged by primary key, in one transaction together with the sync state; see
 * postgres-transaction.ts. The password never appears in `description` or in errors.
 */
import type pg from 'pg';
import { SyncError } from '../errors.ts';
import { DELETED_AT, LOADED_AT, type Row, type TableSchema } from '../normalize/table-schema.ts';
import type { Destination, RunRecord, SchemaChange, StateRecord, Transaction } from './destination.ts';
import {
  createPool, destinationError, isConnectionError, parsePostgresUrl, unreachableError,
  type PostgresOptions, type PostgresTarget,
} from './postgres-connection.ts';
import { fieldEncoder } from './postgres-copy.ts';
import {
  createTableSql, ident, INTROSPECT_SQL, metaTablesSql, orderBySql, PG_TYPES, PRIMARY_KEY_SQL, qualified,
  RUNS_TABLE, STATE_TABLE, typeMatches,
} from './postgres-sql.ts';
import { PgTransaction, type PgContext, type PgTableInfo } from './postgres-transaction.ts';

export type { PostgresOptions } from './postgres-connection.ts';

const FETCH_ROWS = 5_000;

export function createPostgresDestination(url: string, options: PostgresOptions = {}): Destination {
  return new PostgresDestination(parsePostgresUrl(url, options));
}

class PostgresDestination implements Destination {
  readonly description: string;
  private pool: pg.Pool | null = null;
  private readonly ctx: PgContext;
  private current: PgTransaction | null = null;

  constructor(private readonly target: PostgresTarget) {
    this.description = target.description;
    this.ctx = { target, tables: new Map() };
  }

  private get schema(): string {
    return this.target.schema;
  }

  private db(): pg.Pool {
    if (!this.pool) throw new SyncError('DESTINATION_NOT_OPEN', `${this.description} is not open.`, { kind: 'destination' });
    return this.pool;
  }

  /** Run a step; database errors become SyncErrors that never show the password. */
  private async step<T>(what: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    try {
      return await fn(this.db());
    } catch (err) {
      throw destinationError(err, this.target, what);
    }
  }

  async open(retry = true): Promise<void> {
    if (this.pool) return;
    const pool = createPool(this.target);
    let client: Awaited<ReturnType<typeof checkout>>;
    try {
      client = await checkout(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw unreachableError(err, this.target);
    }
    try {
      for (const sql of metaTablesSql(this.schema)) await client.query(sql);
    } catch (err) {
      client.done();
      await pool.end().catch(() => {});
      // two processes creating the same schema at once: the loser sees a duplicate; retry once
      if (retry && (err as { code?: string }).code === '23505') return this.open(false);
      throw destinationError(err, this.target, `creating schema "${this.schema}"`);
    }
    client.done();
    this.pool = pool;
  }

  private async introspect(pool: pg.Pool | pg.PoolClient): Promise<Map<string, Map<string, string>>> {
    const res = await pool.query<{ table_name: string; column_name: string; column_type: string }>(INTROSPECT_SQL, [this.schema]);
    const out = new Map<string, Map<string, string>>();
    for (const r of res.rows) {
      let cols = out.get(r.table_name);
      if (!cols) out.set(r.table_name, (cols = new Map()));
      cols.set(r.column_name, r.column_type);
    }
    return out;
  }

  async ensureTables(tables: TableSchema[]): Promise<SchemaChange[]> {
    return this.step('creating or updating tables', async (pool) => {
      const client = await checkout(pool);
      const changes: SchemaChange[] = [];
      try {
        await client.query('BEGIN');
        const existing = await this.introspect(client);
        for (const t of tables) {
          const have = existing.get(t.name);
          if (!have) {
            await client.query(createTableSql(this.schema, t));
            changes.push({ table: t.name, kind: 'created' });
            continue;
          }
          for (const c of t.columns) {
            const actual = have.get(c.name);
            if (actual === undefined) {
              await client.query(`ALTER TABLE ${qualified(this.schema, t.name)} ADD COLUMN ${ident(c.name)} ${PG_TYPES[c.type]}`);
              changes.push({ table: t.name, kind: 'column-added', column: c.name });
            } else if (!typeMatches(c.type, actual)) {
              changes.push({
                table: t.name, kind: 'type-mismatch', column: c.name,
                detail: `column is ${actual} in PostgreSQL, the catalog now says ${PG_TYPES[c.type]}; left as it is (alter or drop the column to change it)`,
              });
            }
          }
          for (const meta of [LOADED_AT, DELETED_AT]) {
            if (!have.has(meta)) {
              const def = meta === LOADED_AT ? ' NOT NULL DEFAULT now()' : '';
              await client.query(`ALTER TABLE ${qualified(this.schema, t.name)} ADD COLUMN ${ident(meta)} timestamp with time zone${def}`);
              changes.push({ table: t.name, kind: 'column-added', column: meta });
            }
          }
        }
        const after = await this.introspect(client);
        await client.query('COMMIT');
        for (const t of tables) this.ctx.tables.set(t.name, tableInfo(t, after.get(t.name)!));
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.done();
      }
      return changes;
    });
  }

  async readState(): Promise<StateRecord[]> {
    return this.step('reading the sync state', async (pool) => {
      const res = await pool.query<{ workspace_id: string; stream: string; partition: string; cursor: unknown; updated_at: Date }>(
        `SELECT workspace_id, stream, "partition", "cursor", updated_at FROM ${qualified(this.schema, STATE_TABLE)} ORDER BY workspace_id, stream, "partition"`,
      );
      return res.rows.map((r) => ({ workspaceId: r.workspace_id, stream: r.stream, partition: r.partition, cursor: r.cursor, updatedAt: r.updated_at }));
    });
  }

  async resetState(filter: { stream?: string; workspaceId?: string } = {}): Promise<number> {
    return this.step('resetting the sync state', async (pool) => {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.stream !== undefined) where.push(`stream = $${params.push(filter.stream)}`);
      if (filter.workspaceId !== undefined) where.push(`workspace_id = $${params.push(filter.workspaceId)}`);
      const res = await pool.query(`DELETE FROM ${qualified(this.schema, STATE_TABLE)}${where.length ? ' WHERE ' + where.join(' AND ') : ''}`, params);
      return res.rowCount ?? 0;
    });
  }

  async begin(): Promise<Transaction> {
    if (this.current && !this.current.finished) {
      throw new SyncError('DESTINATION_TX_OPEN', 'A transaction is already open on this destination; commit or roll it back first.', { kind: 'destination' });
    }
    const tx = await this.step('starting a transaction', async (pool) => {
      const client = await pool.connect();
      client.on('error', ignoreError);
      try {
        await client.query('BEGIN');
      } catch (err) {
        client.off('error', ignoreError);
        client.release(true);
        throw err;
      }
      client.off('error', ignoreError);
      return new PgTransaction(client, this.ctx, () => {
        if (this.current === tx) this.current = null;
      });
    });
    this.current = tx;
    return tx;
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.step('recording the run', async (pool) => {
      await pool.query(
        `INSERT INTO ${qualified(this.schema, RUNS_TABLE)} (run_id, started_at, ended_at, status, mode, rows_per_table, requests, error)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
         ON CONFLICT (run_id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, status = EXCLUDED.status,
           mode = EXCLUDED.mode, rows_per_table = EXCLUDED.rows_per_table, requests = EXCLUDED.requests, error = EXCLUDED.error`,
        [run.runId, run.startedAt, run.endedAt, run.status, run.mode, JSON.stringify(run.rowsPerTable), run.requests, run.error ?? null],
      );
    });
  }

  async readRuns(): Promise<RunRecord[]> {
    return this.step('reading runs', async (pool) => {
      const res = await pool.query(`SELECT * FROM ${qualified(this.schema, RUNS_TABLE)} ORDER BY started_at, run_id`);
      return res.rows.map((r) => ({
        runId: r.run_id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, mode: r.mode,
        rowsPerTable: r.rows_per_table, requests: Number(r.requests), error: r.error,
      }));
    });
  }

  async *readTable(table: string): AsyncIterable<Row> {
    const pool = this.db();
    let client: Awaited<ReturnType<typeof checkout>>;
    try {
      client = await checkout(pool);
    } catch (err) {
      throw destinationError(err, this.target, `reading table "${table}"`);
    }
    let ok = false;
    try {
      const { pk, types } = await this.keyOf(client, table);
      await client.query('BEGIN READ ONLY');
      const order = pk.length > 0 ? ` ORDER BY ${orderBySql(pk, types)}` : '';
      await client.query(`DECLARE cs_read NO SCROLL CURSOR FOR SELECT * FROM ${qualified(this.schema, table)}${order}`);
      for (;;) {
        const res = await client.query(`FETCH ${FETCH_ROWS} FROM cs_read`);
        for (const row of res.rows) yield row as Row;
        if (res.rows.length < FETCH_ROWS) break;
      }
      await client.query('COMMIT');
      ok = true;
    } catch (err) {
      throw destinationError(err, this.target, `reading table "${table}"`);
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => {});
      client.done(!ok);
    }
  }

  private async keyOf(client: pg.PoolClient, table: string): Promise<{ pk: string[]; types: Map<string, string> }> {
    const known = this.ctx.tables.get(table);
    if (known) return { pk: known.schema.primaryKey, types: known.dbTypes };
    const cols = (await this.introspect(client)).get(table);
    if (!cols) throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${table}" does not exist in ${this.description}.`, { kind: 'destination' });
    const res = await client.query<{ column_name: string }>(PRIMARY_KEY_SQL, [this.schema, table]);
    return { pk: res.rows.map((r) => r.column_name), types: cols };
  }

  async close(): Promise<void> {
    if (this.current) await this.current.rollback().catch(() => {});
    this.current = null;
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.end().catch((err) => {
      if (!isConnectionError(err)) throw err;
    });
  }
}

const ignoreError = () => {};

/** A pooled client with an error listener (a checked-out client must have one, or a lost connection crashes the process). */
async function checkout(pool: pg.Pool): Promise<pg.PoolClient & { done(broken?: boolean): void }> {
  const client = await pool.connect();
  client.on('error', ignoreError);
  return Object.assign(client, {
    done(broken?: boolean) {
      client.off('error', ignoreError);
      client.release(broken ? true : undefined);
    },
  });
}

function tableInfo(schema: TableSchema, dbTypes: Map<string, string>): PgTableInfo {
  const columns = schema.columns.map((c) => c.name);
  return {
    schema,
    dbTypes,
    columns,
    allowed: new Set(columns),
    encoders: schema.columns.map((c) => fieldEncoder(c.name, c.type)),
  };
}
