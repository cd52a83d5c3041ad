/**
 * One PostgreSQL transaction of the destination: rows are COPYed into a temporary staging
 * table per target table, merged by primary key (counting inserted / updated / unchanged),
 * and the keys written are remembered in a temporary table so that `reconcile` and the
 * replacement of child lists at commit can tell "written in this transaction" apart.
 * State records are upserted in the same transaction, just before COMMIT.
 */
import type pg from 'pg';
import { SyncError } from '../errors.ts';
import { DELETED_AT, LOADED_AT, type Row, type TableSchema } from '../normalize/table-schema.ts';
import type { Scope, StateRecord, Transaction, WriteCounts } from './destination.ts';
import { destinationError, type PostgresTarget } from './postgres-connection.ts';
import { copyRows, fieldEncoder, jsonText, type FieldEncoder } from './postgres-copy.ts';
import { colList, ident, qualified, STATE_TABLE } from './postgres-sql.ts';

/** What the destination knows about one data table. */
export interface PgTableInfo {
  schema: TableSchema;
  /** Every column in the database (name → format_type), metadata included. */
  dbTypes: Map<string, string>;
  /** Catalog columns, the ones a write stages. */
  columns: string[];
  allowed: Set<string>;
  encoders: FieldEncoder[];
}

export interface PgContext {
  target: PostgresTarget;
  tables: Map<string, PgTableInfo>;
}

interface TableTx {
  /**
   * The table was empty when this transaction first touched it, so every row in it was written
   * in this transaction: rows are COPYed straight into it (no staging, no merge) and the table
   * itself serves as the set of keys written.
   */
  fresh: boolean;
  /** A direct COPY hit a key written earlier in this transaction: use staging from then on. */
  staged: boolean;
  /** Temporary staging table, created on first use. */
  staging: string | null;
  /** SQL source of the keys written in this transaction (a temporary table, or the target). */
  keys: string;
  /** Columns held in the keys table: primary key, then parent columns not in the key. */
  keyColumns: string[];
}

function nullKey(table: string, column: string): SyncError {
  return new SyncError('DESTINATION_NULL_KEY', `Row for table "${table}" has no value for primary-key column "${column}".`, { kind: 'destination' });
}

const ZERO = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

export class PgTransaction implements Transaction {
  private readonly tx = new Map<string, TableTx>();
  private readonly counts: Record<string, WriteCounts> = {};
  private state: StateRecord[] = [];
  private temp = 0;
  private done = false;

  /** A checked-out client's connection can fail between queries (server restart, network): the next query reports it. */
  private readonly onClientError = () => {};

  constructor(
    private readonly client: pg.PoolClient,
    private readonly ctx: PgContext,
    private readonly onEnd: () => void,
  ) {
    client.on('error', this.onClientError);
  }

  get finished(): boolean {
    return this.done;
  }

  private get schema(): string {
    return this.ctx.target.schema;
  }

  private info(table: string): PgTableInfo {
    const info = this.ctx.tables.get(table);
    if (!info) {
      throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${table}" was not passed to ensureTables before writing.`, { kind: 'destination' });
    }
    return info;
  }

  private count(table: string): WriteCounts {
    return (this.counts[table] ??= ZERO());
  }

  private checkOpen(): void {
    if (this.done) throw new SyncError('DESTINATION_TX_CLOSED', 'This transaction was already committed or rolled back.', { kind: 'destination' });
  }

  private async run(step: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      throw destinationError(err, this.ctx.target, step);
    }
  }

  /** Per-table transaction state, made on first use: is the table fresh (empty)? */
  private async tableTx(table: string): Promise<TableTx> {
    const existing = this.tx.get(table);
    if (existing) return existing;
    const info = this.info(table);
    const target = qualified(this.schema, table);
    const pk = info.schema.primaryKey;
    const keyColumns = [...pk, ...(info.schema.parent?.columns ?? []).filter((c) => !pk.includes(c))];
    const empty = await this.client.query(`SELECT 1 FROM ${target} LIMIT 1`);
    const fresh = empty.rowCount === 0;
    let keys = target;
    if (!fresh) {
      keys = ident(`_cs_keys_${++this.temp}`);
      await this.client.query(`CREATE TEMP TABLE ${keys} ON COMMIT DROP AS SELECT ${colList(keyColumns)} FROM ${target} WITH NO DATA`);
    }
    const t: TableTx = { fresh, staged: !fresh, staging: null, keys, keyColumns };
    this.tx.set(table, t);
    return t;
  }

  private async stagingOf(t: TableTx, info: PgTableInfo): Promise<string> {
    if (t.staging) return t.staging;
    const staging = ident(`_cs_stage_${++this.temp}`);
    await this.client.query(`CREATE TEMP TABLE ${staging} ON COMMIT DROP AS SELECT ${colList(info.columns)} FROM ${qualified(this.schema, info.schema.name)} WITH NO DATA`);
    t.staging = staging;
    return staging;
  }

  private mergeSql(info: PgTableInfo, staging: string): string {
    const pk = info.schema.primaryKey;
    const rest = info.columns.filter((c) => !pk.includes(c));
    const set = [...rest.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`), `${ident(LOADED_AT)} = now()`, `${ident(DELETED_AT)} = NULL`];
    const changed = rest.length > 0 ? `ROW(${colList(rest, 't')}) IS DISTINCT FROM ROW(${colList(rest, 'EXCLUDED')}) OR ` : '';
    return `WITH up AS (
      INSERT INTO ${qualified(this.schema, info.schema.name)} AS t (${colList(info.columns)}, ${ident(LOADED_AT)}, ${ident(DELETED_AT)})
      SELECT ${colList(info.columns)}, now(), NULL FROM ${staging}
      ON CONFLICT (${colList(pk)}) DO UPDATE SET ${set.join(', ')}
      WHERE ${changed}t.${ident(DELETED_AT)} IS NOT NULL
      RETURNING (xmax = 0) AS ins)
    SELECT count(*) FILTER (WHERE ins)::int AS inserted, count(*)::int AS total FROM up`;
  }

  /** Check columns and keys; the last row of a repeated key wins. */
  private prepare(table: string, info: PgTableInfo, rows: Row[]): Row[] {
    const pk = info.schema.primaryKey;
    const single = pk.length === 1 ? pk[0] : null;
    const allowed = info.allowed;
    const seen = new Map<unknown, number>();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      for (const k in row) {
        if (!allowed.has(k)) {
          throw new SyncError('DESTINATION_UNKNOWN_COLUMN', `Row for table "${table}" has "${k}", which is not a column of the table.`, {
            kind: 'destination',
            hint: 'The catalog and the rows disagree; this is a bug in the normalizer or the catalog.',
          });
        }
      }
      let key: unknown;
      if (single !== null) {
        key = row[single];
        if (key === null || key === undefined) throw nullKey(table, single);
        if (typeof key !== 'string') key = key instanceof Date ? key.toISOString() : String(key);
      } else {
        let k = '';
        for (const c of pk) {
          const v = row[c];
          if (v === null || v === undefined) throw nullKey(table, c);
          k += (v instanceof Date ? v.toISOString() : String(v)) + '\u0001';
        }
        key = k;
      }
      seen.set(key, i);
    }
    if (seen.size === rows.length) return rows;
    const keep = new Set(seen.values());
    return rows.filter((_, i) => keep.has(i));
  }

  async write(table: string, rows: Row[]): Promise<void> {
    this.checkOpen();
    const info = this.info(table);
    const unique = this.prepare(table, info, rows);
    await this.run(`writing table "${table}"`, async () => {
      const t = await this.tableTx(table);
      const c = this.count(table);
      if (unique.length === 0) return;
      if (!t.staged) {
        // fresh table: COPY straight in; a key already written in this transaction makes it fail
        await this.client.query('SAVEPOINT cs_direct_copy');
        try {
          const n = await copyRows(this.client, qualified(this.schema, table), colList(info.columns), unique, info.columns, info.encoders);
          await this.client.query('RELEASE SAVEPOINT cs_direct_copy');
          c.inserted += n;
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== '23505') throw err;
          await this.client.query('ROLLBACK TO SAVEPOINT cs_direct_copy');
          t.staged = true;
        }
      }
      const staging = await this.stagingOf(t, info);
      await this.client.query(`TRUNCATE ${staging}`);
      await copyRows(this.client, staging, colList(info.columns), unique, info.columns, info.encoders);
      const res = await this.client.query<{ inserted: number; total: number }>(this.mergeSql(info, staging));
      const { inserted, total } = res.rows[0];
      c.inserted += inserted;
      c.updated += total - inserted;
      c.unchanged += unique.length - total;
      if (!t.fresh) await this.client.query(`INSERT INTO ${t.keys} SELECT ${colList(t.keyColumns)} FROM ${staging}`);
    });
  }

  async reconcile(table: string, scope: Scope, deletes: 'soft' | 'hard'): Promise<number> {
    this.checkOpen();
    const info = this.info(table);
    const params: unknown[] = [];
    const where: string[] = [];
    const checkColumn = (c: string) => {
      if (!info.dbTypes.has(c)) {
        throw new SyncError('DESTINATION_UNKNOWN_COLUMN', `Reconcile scope uses "${c}", which is not a column of table "${table}".`, { kind: 'destination' });
      }
    };
    for (const [c, v] of Object.entries(scope.equals)) {
      checkColumn(c);
      params.push(v);
      where.push(`t.${ident(c)} = $${params.length}`);
    }
    if (scope.range) {
      checkColumn(scope.range.column);
      if (scope.range.from) {
        params.push(scope.range.from);
        where.push(`t.${ident(scope.range.column)} >= $${params.length}`);
      }
      if (scope.range.to) {
        params.push(scope.range.to);
        where.push(`t.${ident(scope.range.column)} < $${params.length}`);
      }
    }
    let affected = 0;
    await this.run(`reconciling table "${table}"`, async () => {
      const t = await this.tableTx(table);
      const pk = info.schema.primaryKey;
      const notWritten = `NOT EXISTS (SELECT 1 FROM ${t.keys} k WHERE ${pk.map((c) => `k.${ident(c)} = t.${ident(c)}`).join(' AND ')})`;
      where.push(notWritten);
      affected = await this.removeInto(table, where.join(' AND '), params, deletes);
    });
    return affected;
  }

  /** Delete or soft-delete rows of `table` matching `whereSql` (alias t); children follow. */
  private async removeInto(table: string, whereSql: string, params: unknown[], deletes: 'soft' | 'hard'): Promise<number> {
    const info = this.info(table);
    const pk = info.schema.primaryKey;
    const target = qualified(this.schema, table);
    const gone = ident(`_cs_gone_${++this.temp}`);
    await this.client.query(`CREATE TEMP TABLE ${gone} ON COMMIT DROP AS SELECT ${colList(pk)} FROM ${target} WITH NO DATA`);
    const change = deletes === 'hard'
      ? `DELETE FROM ${target} t WHERE ${whereSql}`
      : `UPDATE ${target} t SET ${ident(DELETED_AT)} = now() WHERE t.${ident(DELETED_AT)} IS NULL AND ${whereSql}`;
    const res = await this.client.query(`WITH d AS (${change} RETURNING ${colList(pk, 't')}) INSERT INTO ${gone} SELECT * FROM d`, params);
    const n = res.rowCount ?? 0;
    this.count(table).deleted += n;
    if (n > 0) {
      for (const child of this.childrenOf(table)) {
        const pcols = child.schema.parent!.columns;
        await this.removeInto(child.schema.name, `(${colList(pcols, 't')}) IN (SELECT ${colList(pk)} FROM ${gone})`, [], deletes);
      }
    }
    return n;
  }

  private childrenOf(table: string): PgTableInfo[] {
    return [...this.ctx.tables.values()].filter((i) => i.schema.parent?.table === table);
  }

  /**
   * Children of every parent key written in this transaction that were not written themselves
   * are deleted. Parents are handled before their children, so grandchildren follow.
   */
  private async replaceChildren(): Promise<void> {
    const depth = (t: TableSchema): number => (t.parent && this.ctx.tables.has(t.parent.table) ? 1 + depth(this.info(t.parent.table).schema) : 0);
    const children = [...this.ctx.tables.values()].filter((i) => i.schema.parent).sort((a, b) => depth(a.schema) - depth(b.schema));
    for (const info of children) {
      const parent = info.schema.parent!;
      const p = this.tx.get(parent.table);
      const c = this.tx.get(info.schema.name);
      if (!p && !c) continue;
      const pcols = parent.columns;
      const parentPk = this.info(parent.table).schema.primaryKey;
      const ofParents: string[] = [];
      if (p) ofParents.push(`(${colList(pcols, 't')}) IN (SELECT ${colList(parentPk)} FROM ${p.keys})`);
      if (c) ofParents.push(`(${colList(pcols, 't')}) IN (SELECT ${colList(pcols)} FROM ${c.keys})`);
      let where = `(${ofParents.join(' OR ')})`;
      if (c) {
        const pk = info.schema.primaryKey;
        where += ` AND NOT EXISTS (SELECT 1 FROM ${c.keys} k WHERE ${pk.map((k) => `k.${ident(k)} = t.${ident(k)}`).join(' AND ')})`;
      }
      await this.removeInto(info.schema.name, where, [], 'hard');
    }
  }

  setState(records: StateRecord[]): void {
    this.checkOpen();
    this.state.push(...records);
  }

  private async saveState(): Promise<void> {
    const table = qualified(this.schema, STATE_TABLE);
    for (const s of this.state) {
      await this.client.query(
        `INSERT INTO ${table} (workspace_id, stream, "partition", "cursor", updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (workspace_id, stream, "partition") DO UPDATE SET "cursor" = EXCLUDED."cursor", updated_at = EXCLUDED.updated_at`,
        [s.workspaceId, s.stream, s.partition, s.cursor === undefined ? null : jsonText(s.cursor), s.updatedAt],
      );
    }
  }

  async commit(): Promise<Record<string, WriteCounts>> {
    this.checkOpen();
    try {
      await this.run('committing', async () => {
        await this.replaceChildren();
        await this.saveState();
        await this.client.query('COMMIT');
      });
    } catch (err) {
      await this.rollback().catch(() => {});
      throw err;
    }
    this.finish();
    return this.counts;
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    let broken = false;
    try {
      await this.client.query('ROLLBACK');
    } catch {
      broken = true; // a broken connection has no transaction left to roll back
    }
    this.finish(broken);
  }

  private finish(discard = false): void {
    this.done = true;
    this.client.off('error', this.onClientError);
    this.client.release(discard ? true : undefined);
    this.onEnd();
  }
}
