import type { DuckDBValue } from '@duckdb/node-api';
import { SyncError } from '../errors.ts';
import { DELETED_AT, LOADED_AT, type Row, type TableSchema } from '../normalize/table-schema.ts';
import type { FlatPages, Scope, StateRecord, Transaction, WriteCounts } from './destination.ts';
import { LARGE_MERGE_STORED_ROWS, LARGE_TRANSACTION_ROWS, type DuckDBCore } from './duckdb-core.ts';
import { columnSql } from './duckdb-values.ts';
import { appendRows, stagingColumns, type StagingTarget } from './duckdb-stage.ts';
import { flatSqlFor } from './duckdb-flat.ts';
import { PendingFlat, insertDirectly, insertableDirectly, type FlatLoad } from './duckdb-flat-loads.ts';
import { joinOn, joinPairs, quoteIdent } from './sql-names.ts';

/** What a destination does around the SQL COMMIT (state records, file export). */
export interface CommitHooks {
  /** Inside the transaction, just before COMMIT; `changed` = tables with rows inserted, updated or deleted. */
  beforeCommit?(ctx: { state: StateRecord[]; changed: Set<string>; counts: Record<string, WriteCounts> }): Promise<void>;
  /** After a successful COMMIT. */
  afterCommit?(ctx: { state: StateRecord[]; changed: Set<string> }): Promise<void>;
  /** After ROLLBACK (or a failed commit). */
  afterRollback?(): Promise<void>;
}

/** A table's staging temp table in one transaction (columns: the schema's when created, then any added since). */
interface Staged extends StagingTarget {
  rows: number;
}
/** Above this many distinct scope values, reconcile skips no query. */
const SCOPE_VALUES_MAX = 10_000;

/**
 * One DuckDB transaction. Writes are appended to one staging temp table per table
 * (`temp.main._cs_s*`), which is also the set of keys written that reconcile reads; at commit,
 * child replacement, then one merge by primary key per table. The temp tables are dropped
 * before COMMIT (and vanish with a ROLLBACK).
 *
 * Flat pages wait in files until commit (duckdb-flat-loads.ts), and go straight into their
 * tables when none of their keys is stored; they are staged first when a write, a reconcile or
 * their keys need it. A transaction begun `lazy` sends BEGIN with its first statement, so it can
 * be begun (and take flat pages) while the previous one commits.
 */
export class DuckDBTransaction implements Transaction {
  private state: StateRecord[] = [];
  private readonly counts: Record<string, WriteCounts> = {};
  /** table → its staging temp table in this transaction (rows written, merged at commit) */
  private readonly staged = new Map<string, Staged>();
  private readonly loadedAtSql: string;
  private done = false;
  private tempSeq = 0;
  /** Flat pages handed over and not yet loaded. */
  private readonly flat: PendingFlat;
  /** False until BEGIN is sent (a lazy transaction sends it with its first statement). */
  private begun = false;
  /** Per table and equality columns: their distinct values among rows not written (see scopeMayHaveRows). */
  private readonly scopeValues = new Map<string, Set<string> | null>();

  private constructor(private readonly core: DuckDBCore, now: Date, private readonly hooks: CommitHooks) {
    this.loadedAtSql = `TIMESTAMPTZ '${now.toISOString()}'`;
    this.flat = new PendingFlat(core);
  }

  /**
   * A transaction may begin once the previous one's commit() or rollback() has been called; a
   * `lazy` one sends BEGIN with its first statement (after that commit, which is queued first).
   */
  static async begin(core: DuckDBCore, now: Date, hooks: CommitHooks = {}, lazy = false): Promise<DuckDBTransaction> {
    if (core.openTransaction) throw txOpen();
    const tx = new DuckDBTransaction(core, now, hooks);
    core.openTransaction = tx;
    if (!lazy) {
      await core.serial(() => tx.ensureBegun()).catch((err) => {
        tx.close();
        throw err;
      });
    }
    return tx;
  }

  /** Sends BEGIN unless sent (inside `serial`, before a statement of this transaction). */
  private async ensureBegun(): Promise<void> {
    if (this.begun) return;
    if (this.core.inTransaction) throw txOpen();
    await this.core.run('BEGIN TRANSACTION');
    this.begun = true;
    this.core.inTransaction = true;
    this.core.ensuredInTransaction = [];
  }

  /** commit() or rollback() was called: a new transaction may begin (its BEGIN is queued after this one's end). */
  private closing = false;

  private close(): void {
    this.closing = true;
    if (this.core.openTransaction === this) this.core.openTransaction = null;
  }

  private count(table: string): WriteCounts {
    return (this.counts[table] ??= { inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
  }

  private live(): void {
    if (this.done) throw txClosed();
  }

  write(table: string, rows: Row[]): Promise<void> {
    return this.core.serial(() => asSyncError(`writing ${rows.length} rows to "${table}"`, async () => {
      this.live();
      await this.ensureBegun();
      const schema = this.core.schemaOf(table);
      // Flat pages handed over before these rows are staged first: a repeated key keeps the last.
      if (this.flat.touches(table)) await this.stageFlat();
      this.count(table);
      if (rows.length === 0) return;
      const t0 = performance.now();
      // Repeated keys are staged as they come (the merge keeps the last one); null keys are refused.
      const staged = await this.stagingFor(schema);
      await appendRows(this.core.con, schema, staged, rows);
      staged.rows += rows.length;
      await this.liftForSize();
      this.core.stats.stagedRows += rows.length;
      this.core.stats.stageMs += performance.now() - t0;
    }));
  }

  /**
   * Flat pages (json-flatten.ts: the CSV of each table of a page that fit its stream's shape):
   * written to files now, loaded at commit (see duckdb-flat-loads.ts). Resolves once the files
   * are written; no statement runs. (A record without its key never gets here: its page took
   * the normalizer's path.)
   */
  writeFlat(job: FlatPages): Promise<void> {
    if (this.closing) return Promise.reject(txClosed());
    this.core.stats.flatPages += job.pages.length;
    return this.flat.add(job).catch((err) => {
      const full = (err as NodeJS.ErrnoException).code === 'ENOSPC';
      throw new SyncError('DESTINATION_WRITE_FAILED', `Could not write flat pages of "${job.shape.tables[0].table}" to ${this.core.pageFiles.where()}: ${err instanceof Error ? err.message : String(err)}`, {
        kind: 'destination', cause: err, hint: full ? 'Make room there (or point TMPDIR to a larger disk) and run the sync again; it resumes from the last commit.' : undefined,
      });
    });
  }

  /** Reads every pending flat load into the staging tables (inside `serial`), in the order they came. */
  private async stageFlat(): Promise<void> {
    if (this.flat.size === 0) return;
    const loads = await this.flat.take();
    try {
      await this.stageLoads(loads, performance.now());
    } finally {
      for (const load of loads) this.flat.remove(load);
    }
  }

  /** Reads flat loads into the staging tables, in order (`t0`: when their load began, for stats). */
  private async stageLoads(loads: FlatLoad[], t0: number): Promise<void> {
    for (const load of loads) await this.stageLoad(load);
    await this.liftForSize();
    this.core.stats.stageMs += performance.now() - t0;
  }

  private async stageLoad(load: FlatLoad): Promise<void> {
    const sql = flatSqlFor(load.shape);
    for (let t = 0; t < sql.length; t++) {
      const schema = this.core.schemaOf(load.shape.tables[t].table);
      this.count(schema.name);
      if (load.files[t].length === 0) continue;
      const staged = await this.stagingFor(schema);
      const n = await this.core.run(`INSERT INTO ${staged.name} (${sql[t].columns.map(quoteIdent).join(', ')}) ${sql[t].select(load.workspaceId, load.files[t], load.longest[t])}`);
      staged.rows += n;
      this.core.stats.stagedRows += n;
    }
  }

  /**
   * At commit: the pending flat loads go straight into their tables when no staged row shares
   * their tables and none of their keys is stored or repeated; otherwise they are staged.
   */
  private async loadFlat(): Promise<void> {
    if (this.flat.size === 0) return;
    if ([...this.staged.keys()].some((t) => this.flat.touches(t) && this.stagedWithRows(t))) return this.stageFlat();
    const loads = await this.flat.take();
    try {
      const t0 = performance.now();
      const direct = await insertableDirectly(this.core, loads);
      this.core.stats.checkMs += performance.now() - t0;
      if (!direct) return await this.stageLoads(loads, t0);
      for (const [table, n] of await insertDirectly(this.core, loads, this.loadedAtSql)) {
        this.count(table).inserted += n;
        this.core.stats.directRows += n;
      }
      this.core.stats.directMs += performance.now() - t0;
    } finally {
      for (const load of loads) this.flat.remove(load);
    }
  }

  /** Lifts the memory limit once this transaction stages many rows. */
  private async liftForSize(): Promise<void> {
    let stagedRows = 0;
    for (const s of this.staged.values()) stagedRows += s.rows;
    if (stagedRows > LARGE_TRANSACTION_ROWS) await this.core.liftMemoryLimit();
  }

  /**
   * The temp table staging the rows written to `schema` in this transaction (created on first
   * use, given any column the schema gained since). It is also the set of keys written, which
   * reconcile and child replacement read; it is merged into the table once, at commit.
   */
  private async stagingFor(schema: TableSchema): Promise<Staged> {
    let staged = this.staged.get(schema.name);
    if (!staged) {
      staged = { name: `_cs_s${this.staged.size}`, columns: [], rows: 0 };
      await this.core.run(`CREATE OR REPLACE TEMP TABLE ${staged.name} (${stagingColumns(schema.columns)})`);
      staged.columns = schema.columns.map((c) => c.name);
      this.staged.set(schema.name, staged);
    }
    for (const c of schema.columns) {
      if (staged.columns.includes(c.name)) continue;
      await this.core.run(`ALTER TABLE ${staged.name} ADD COLUMN ${columnSql(c)}`);
      staged.columns.push(c.name);
    }
    return staged;
  }

  /**
   * Merge a staging table into its table, once per transaction: the last staged row of a
   * repeated key wins; changed rows are updated, new ones inserted, equal ones left alone.
   * When no staged key is stored yet (a first sync), one plain INSERT.
   *
   * Only one join reads the whole table: the one finding which staged keys are stored (DuckDB
   * builds it on the staged keys). The update and the insert then join the staged rows with those
   * keys, building on the keys (runBuildingOnKeys). Before, the insert's anti-join against the
   * table was built on all the table's keys, or on every column of the staged rows: 100,000 new
   * and 20,000 changed rows against 1M stored ran out of 80 MB (bench/duckdb-merge-memory.ts).
   */
  private async merge(schema: TableSchema, staged: Staged): Promise<void> {
    const counts = this.count(schema.name);
    const pk = schema.primaryKey.map(quoteIdent).join(', ');
    let src = staged.name;
    const target = this.core.qualified(schema.name);
    const [{ d }] = await this.core.rows(`SELECT count(DISTINCT (${pk})) AS d FROM ${src}`);
    const distinct = Number(d);
    if (distinct < staged.rows) {
      src = `${staged.name}_u`;
      await this.core.run(`CREATE OR REPLACE TEMP TABLE ${src} AS SELECT * FROM ${staged.name}
        QUALIFY row_number() OVER (PARTITION BY ${pk} ORDER BY rowid DESC) = 1`);
    }
    const keys = await this.tempKeys(schema.primaryKey, `SELECT ${schema.primaryKey.map((k) => `s.${quoteIdent(k)}`).join(', ')}
      FROM ${src} AS s JOIN ${target} AS t ON ${joinOn(schema.primaryKey, 't', 's')}`);
    const [{ n }] = await this.core.rows(`SELECT count(*) AS n FROM ${keys}`);
    const stored = Number(n);
    const cols = staged.columns.map(quoteIdent);
    const nonKey = staged.columns.filter((c) => !schema.primaryKey.includes(c)).map(quoteIdent);
    const differs = [...nonKey.map((c) => `t.${c} IS DISTINCT FROM s.${c}`), `t.${quoteIdent(DELETED_AT)} IS NOT NULL`].join(' OR ');
    const set = [...nonKey.map((c) => `${c} = s.${c}`), `${quoteIdent(LOADED_AT)} = ${this.loadedAtSql}`, `${quoteIdent(DELETED_AT)} = NULL`].join(', ');
    const insertSql = `INSERT INTO ${target} (${cols.join(', ')}, ${quoteIdent(LOADED_AT)}, ${quoteIdent(DELETED_AT)})
       SELECT ${cols.map((c) => `s.${c}`).join(', ')}, ${this.loadedAtSql}, NULL FROM ${src} AS s`;
    let updated = 0;
    let inserted: number;
    // Comparing and updating many stored rows needs more than the default limit holds.
    if (stored > LARGE_MERGE_STORED_ROWS) await this.core.liftMemoryLimit();
    if (stored === 0) {
      inserted = await this.core.run(insertSql);
    } else {
      const isStored = `EXISTS (SELECT 1 FROM ${keys} AS k WHERE ${joinOn(schema.primaryKey, 's', 'k')})`;
      updated = await this.core.runBuildingOnKeys(`UPDATE ${target} AS t SET ${set} FROM (SELECT * FROM ${src} AS s WHERE ${isStored}) AS s
        WHERE ${joinOn(schema.primaryKey, 't', 's')} AND (${differs})`);
      inserted = await this.core.runBuildingOnKeys(`${insertSql} WHERE NOT ${isStored}`);
    }
    await this.core.run(`DROP TABLE ${keys}`);
    if (src !== staged.name) await this.core.run(`DROP TABLE ${src}`);
    counts.inserted += inserted;
    counts.updated += updated;
    counts.unchanged += distinct - inserted - updated;
  }

  reconcile(table: string, scope: Scope, deletes: 'soft' | 'hard'): Promise<number> {
    return this.core.serial(() => asSyncError(`reconciling "${table}"`, async () => {
      this.live();
      await this.ensureBegun();
      const t0 = performance.now();
      const schema = this.core.schemaOf(table);
      // The staging table holds the keys written in this transaction (created empty if none were).
      const keys = (await this.stagingFor(schema)).name;
      const values: DuckDBValue[] = [];
      const where: string[] = [];
      const colNames = new Set(schema.columns.map((c) => c.name));
      const column = (name: string) => {
        if (!colNames.has(name)) throw new SyncError('DESTINATION_BAD_SCOPE', `Scope column "${name}" is not a column of "${table}"`, { kind: 'destination' });
        return `t.${quoteIdent(name)}`;
      };
      for (const [name, value] of Object.entries(scope.equals)) {
        values.push(value);
        where.push(`${column(name)} = $${values.length}`);
      }
      if (!(await this.scopeMayHaveRows(schema, keys, scope))) {
        this.core.stats.reconcileMs += performance.now() - t0;
        return 0;
      }
      // The keys written include those of the flat pages handed over.
      if (this.flat.touches(table)) await this.stageFlat();
      if (scope.range) {
        const col = column(scope.range.column);
        if (scope.range.from) {
          values.push(scope.range.from.toISOString());
          where.push(`${col} >= CAST($${values.length} AS TIMESTAMPTZ)`);
        }
        if (scope.range.to) {
          values.push(scope.range.to.toISOString());
          where.push(`${col} < CAST($${values.length} AS TIMESTAMPTZ)`);
        }
      }
      where.push(`NOT EXISTS (SELECT 1 FROM ${keys} AS s WHERE ${joinOn(schema.primaryKey, 't', 's')})`);
      if (deletes === 'soft') where.push(`t.${quoteIdent(DELETED_AT)} IS NULL`);
      const doomed = await this.tempKeys(schema.primaryKey, `SELECT ${schema.primaryKey.map((k) => `t.${quoteIdent(k)}`).join(', ')} FROM ${this.core.qualified(table)} AS t WHERE ${where.join(' AND ')}`, values);
      const n = await this.deleteKeys(schema, doomed, deletes);
      this.core.stats.reconcileMs += performance.now() - t0;
      return n;
    }));
  }

  /**
   * False when no stored row that was not written in this transaction has the scope's equality
   * values, so the reconcile has nothing to delete (e.g. every user's partition in a first sync).
   * Per table and set of text equality columns, the distinct values of the rows not written so
   * far are read once per transaction: rows not yet written only leave that set (written,
   * deleted), never join it, so the snapshot stays a superset of what a later reconcile could
   * find. Scopes on other column types, or with many distinct values, take the full query.
   */
  private async scopeMayHaveRows(schema: TableSchema, keys: string, scope: Scope): Promise<boolean> {
    const names = Object.keys(scope.equals).sort();
    if (names.length === 0) return true;
    const types = new Map(schema.columns.map((c) => [c.name, c.type]));
    if (names.some((n) => types.get(n) !== 'text' || typeof scope.equals[n] !== 'string')) return true;
    const id = `${schema.name}\u0000${names.join('\u0000')}`;
    let seen = this.scopeValues.get(id);
    if (seen === undefined) {
      const sel = names.map((n, i) => `t.${quoteIdent(n)} AS v${i}`).join(', ');
      const rows = await this.core.rows(
        `SELECT DISTINCT ${sel} FROM ${this.core.qualified(schema.name)} AS t
         WHERE NOT EXISTS (SELECT 1 FROM ${keys} AS s WHERE ${joinOn(schema.primaryKey, 't', 's')}) LIMIT ${SCOPE_VALUES_MAX + 1}`);
      seen = rows.length > SCOPE_VALUES_MAX ? null : new Set(rows.map((r) => JSON.stringify(names.map((_, i) => r[`v${i}`]))));
      this.scopeValues.set(id, seen);
    }
    return seen === null || seen.has(JSON.stringify(names.map((n) => scope.equals[n])));
  }

  /** Materialize a key query into a fresh temp table; returns its name. */
  private async tempKeys(columns: string[], select: string, values?: DuckDBValue[]): Promise<string> {
    const name = `_cs_k${this.tempSeq++}`;
    await this.core.run(`CREATE TEMP TABLE ${name} AS ${select}`, values);
    return name;
  }

  /** Delete (or soft-delete) the rows of `schema` whose keys are in temp table `keys`, then their children. */
  private async deleteKeys(schema: TableSchema, keys: string, deletes: 'soft' | 'hard'): Promise<number> {
    const target = this.core.qualified(schema.name);
    const match = `EXISTS (SELECT 1 FROM ${keys} AS k WHERE ${joinOn(schema.primaryKey, 't', 'k')})`;
    const n = deletes === 'hard'
      ? await this.core.run(`DELETE FROM ${target} AS t WHERE ${match}`)
      : await this.core.run(`UPDATE ${target} AS t SET ${quoteIdent(DELETED_AT)} = ${this.loadedAtSql} WHERE ${match} AND t.${quoteIdent(DELETED_AT)} IS NULL`);
    if (n > 0) {
      this.count(schema.name).deleted += n;
      for (const child of this.core.childrenOf(schema.name)) {
        const parentCols = child.parent!.columns;
        const on = joinPairs(parentCols, 'c', schema.primaryKey, 'k');
        const extra = deletes === 'soft' ? ` AND c.${quoteIdent(DELETED_AT)} IS NULL` : '';
        const childKeys = await this.tempKeys(child.primaryKey, `SELECT ${child.primaryKey.map((k) => `c.${quoteIdent(k)}`).join(', ')} FROM ${this.core.qualified(child.name)} AS c WHERE EXISTS (SELECT 1 FROM ${keys} AS k WHERE ${on})${extra}`);
        await this.deleteKeys(child, childKeys, deletes);
      }
    }
    await this.core.run(`DROP TABLE ${keys}`);
    return n;
  }

  /**
   * Child replacement: for each child table, stored children of parents written in this
   * transaction (or referenced by written children) that were not written are deleted.
   * Parents are handled before their children so grandchildren follow.
   */
  private async replaceChildren(): Promise<void> {
    for (const child of byDepth([...this.core.schemas.values()].filter((s) => s.parent))) {
      const parent = this.core.schemas.get(child.parent!.table);
      // Staging tables without rows (made by a reconcile, or left by direct flat loads) write no key.
      const parentKeys = this.stagedWithRows(child.parent!.table);
      const childKeys = this.stagedWithRows(child.name);
      if (!parentKeys && !childKeys) continue;
      const pcols = child.parent!.columns;
      const sources: string[] = [];
      if (parentKeys && parent) sources.push(`SELECT ${parent.primaryKey.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(pcols[i])}`).join(', ')} FROM ${parentKeys}`);
      if (childKeys) sources.push(`SELECT ${pcols.map(quoteIdent).join(', ')} FROM ${childKeys}`);
      const notWritten = childKeys ? ` AND NOT EXISTS (SELECT 1 FROM ${childKeys} AS w WHERE ${joinOn(child.primaryKey, 'c', 'w')})` : '';
      const where = `EXISTS (SELECT 1 FROM (${sources.join(' UNION ')}) AS p WHERE ${joinOn(pcols, 'c', 'p')})${notWritten}`;
      if (this.core.childrenOf(child.name).length === 0) {
        // No grandchildren to follow: one DELETE (one statement instead of three), its joins built
        // on the written keys, not on the stored children (100,000 new and 50,000 changed entries
        // against 1M stored, 2M tags: out of 64 MB in 4 of 4 runs, 0 of 4 after).
        const n = await this.core.runBuildingOnKeys(`DELETE FROM ${this.core.qualified(child.name)} AS c WHERE ${where}`);
        this.count(child.name).deleted += n;
        continue;
      }
      const doomed = await this.tempKeys(child.primaryKey,
        `SELECT ${child.primaryKey.map((k) => `c.${quoteIdent(k)}`).join(', ')} FROM ${this.core.qualified(child.name)} AS c WHERE ${where}`);
      await this.deleteKeys(child, doomed, 'hard');
    }
  }

  private stagedWithRows(table: string): string | undefined {
    const staged = this.staged.get(table);
    return staged && staged.rows > 0 ? staged.name : undefined;
  }

  setState(records: StateRecord[]): void {
    this.live();
    const byKey = new Map(this.state.map((r) => [stateKey(r), r]));
    for (const r of records) byKey.set(stateKey(r), r);
    this.state = [...byKey.values()];
  }

  commit(): Promise<Record<string, WriteCounts>> {
    if (this.closing) return Promise.reject(txClosed());
    this.close();
    return this.core.serial(async () => {
      this.live();
      this.done = true;
      try {
        await this.ensureBegun();
        await this.loadFlat();
        const tc = performance.now();
        await this.replaceChildren();
        const tm = performance.now();
        this.core.stats.childrenMs += tm - tc;
        for (const [table, staged] of this.staged) {
          if (staged.rows > 0) await this.merge(this.core.schemaOf(table), staged);
          await this.core.run(`DROP TABLE ${staged.name}`);
        }
        this.core.stats.mergeMs += performance.now() - tm;
        const changed = new Set(Object.entries(this.counts).filter(([, c]) => c.inserted + c.updated + c.deleted > 0).map(([t]) => t));
        await this.hooks.beforeCommit?.({ state: this.state, changed, counts: this.counts });
        const t0 = performance.now();
        await this.core.run('COMMIT');
        this.core.stats.commitMs += performance.now() - t0;
        this.core.inTransaction = false;
        this.core.ensuredInTransaction = [];
        await this.hooks.afterCommit?.({ state: this.state, changed });
      } catch (err) {
        this.flat.discard();
        if (this.core.inTransaction) await this.afterRollback(true).catch(() => {});
        throw wrapCommitError(err);
      }
      return this.counts;
    });
  }

  rollback(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.close();
    this.flat.discard();
    return this.core.serial(async () => {
      if (this.done) return;
      this.done = true;
      if (this.begun) await this.afterRollback(true);
    });
  }

  private async afterRollback(sqlRollback: boolean): Promise<void> {
    if (sqlRollback) await this.core.run('ROLLBACK').catch(() => {});
    this.core.inTransaction = false;
    await this.core.reapplyAfterRollback();
    await this.hooks.afterRollback?.();
  }
}

/** Database errors become SyncError DESTINATION_WRITE_FAILED (SyncErrors pass through). */
async function asSyncError<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SyncError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new SyncError('DESTINATION_WRITE_FAILED', `DuckDB failed ${what}: ${message}`, {
      kind: 'destination', cause: err, hint: memoryHint(message),
    });
  }
}

function wrapCommitError(err: unknown): unknown {
  if (err instanceof SyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SyncError('DESTINATION_COMMIT_FAILED', `Commit failed; the previous state is kept: ${message}`, {
    kind: 'destination', cause: err, hint: memoryHint(message),
  });
}

/** The hint for an error of DuckDB's memory limit (it says "Out of Memory", or that a block could not be allocated or pinned). */
function memoryHint(message: string): string | undefined {
  return /out of memory|could not allocate|failed to (allocate|pin)/i.test(message) ? MEMORY_HINT : undefined;
}

const MEMORY_HINT = 'DuckDB reached its memory limit (64 MB by default for a database file): set CLOCKIFY_DUCKDB_MEMORY_LIMIT=1GB (or more) and run the sync again; it resumes from the last commit.';

function txClosed(): SyncError {
  return new SyncError('DESTINATION_TX_CLOSED', 'The transaction is already committed or rolled back', { kind: 'destination' });
}

function txOpen(): SyncError {
  return new SyncError('DESTINATION_TX_OPEN', 'A transaction is already open on this destination', { kind: 'destination' });
}

export function stateKey(r: { workspaceId: string; stream: string; partition: string }): string {
  return `${r.workspaceId}\u0000${r.stream}\u0000${r.partition}`;
}

function byDepth(children: TableSchema[]): TableSchema[] {
  const all = new Map(children.map((c) => [c.name, c]));
  const depth = (t: TableSchema, seen = 0): number => {
    const p = t.parent ? all.get(t.parent.table) : undefined;
    return p && seen < 16 ? 1 + depth(p, seen + 1) : 0;
  };
  return [...children].sort((a, b) => depth(a) - depth(b));
}
