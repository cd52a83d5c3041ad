/**
 * Excel destination: `--destination xlsx:./clockify.xlsx`.
 *
 * The workbook has a first sheet `About` (when, which workspaces, which range, the last run,
 * the tables and the sync state) and one sheet per table with typed cells. Data is merged
 * incrementally in a sidecar store next to the workbook (`clockify.xlsx.sync.jsonl.gz`, see
 * xlsx-store.ts), loaded into memory on open; every commit rewrites the sidecar through a
 * temporary file renamed into place (the commit point), and the workbook is rendered from it
 * at close (or `flush()`), also through a temporary file, so a reader never sees half a file.
 *
 * Limits: a table over Excel's 1,048,575 data rows per sheet is refused at commit
 * (XLSX_TOO_MANY_ROWS, nothing written); every table is held in memory; text longer than
 * 32,767 characters is cut in the workbook only (the sidecar keeps it whole). Without its
 * sidecar the workbook starts over (state included), so the next sync is a full one.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { ensureDir } from './fs-dirs.ts';
import { dirname, resolve } from 'node:path';
import { SyncError } from '../errors.ts';
import type { Row, TableSchema } from '../normalize/table-schema.ts';
import type { Destination, RunRecord, SchemaChange, StateRecord, Transaction } from './destination.ts';
import { EXCEL_MAX_ROWS, renderWorkbook, sortedRows } from './xlsx-render.ts';
import {
  readRunsFile, readSidecar, runsPath, sidecarPath, tempPath, writeRunsFile, writeSidecar,
  type RunsFile, type StoreData, type StoredRow, type StoredTable, type XlsxRunInfo,
} from './xlsx-store.ts';
import { XlsxTransaction } from './xlsx-transaction.ts';
import { fromStored, stableJson } from './xlsx-values.ts';

export type { XlsxRunInfo } from './xlsx-store.ts';

export interface XlsxOptions {
  /** Clock for `_loaded_at`, `_deleted_at` and "written at" (tests). */
  now?: () => Date;
  /** Data rows allowed per sheet; defaults to Excel's limit (tests use a smaller one). */
  maxRowsPerSheet?: number;
}

export interface XlsxDestination extends Destination {
  /** Facts for the About sheet (workspaces, date range, mode); shown from the next write on. */
  setRunInfo(info: XlsxRunInfo): Promise<void>;
  /** Write the workbook now rather than at close (it is otherwise rendered once, at close). */
  flush(): Promise<void>;
}

export function createXlsxDestination(path: string, options: XlsxOptions = {}): XlsxDestination {
  return new XlsxWorkbookDestination(path, options);
}

/** Data rows per sheet: Excel's row limit less the header row. */
export const XLSX_MAX_DATA_ROWS = EXCEL_MAX_ROWS - 1;

class XlsxWorkbookDestination implements XlsxDestination {
  readonly description: string;
  private readonly path: string;
  private readonly now: () => Date;
  private readonly maxRows: number;
  private store: StoreData | null = null;
  private runs: RunsFile = { runs: [], runInfo: null };
  private readonly catalog = new Map<string, Set<string>>();
  private current: XlsxTransaction | null = null;
  /** Data, runs or run info changed since the workbook was last written (or it is missing). */
  private workbookStale = false;

  constructor(path: string, options: XlsxOptions) {
    this.path = resolve(path);
    this.description = `xlsx:${path}`;
    this.now = options.now ?? (() => new Date());
    this.maxRows = Math.min(options.maxRowsPerSheet ?? XLSX_MAX_DATA_ROWS, XLSX_MAX_DATA_ROWS);
  }

  private data(): StoreData {
    if (!this.store) throw new SyncError('DESTINATION_NOT_OPEN', `${this.description} is not open.`, { kind: 'destination' });
    return this.store;
  }

  private fail(err: unknown, step: string): SyncError {
    if (err instanceof SyncError) return err;
    const e = err as NodeJS.ErrnoException;
    return new SyncError('DESTINATION_WRITE_FAILED', `${this.description}: ${step} failed: ${e?.message ?? String(err)}`, {
      kind: 'destination',
      hint: e?.code === 'EACCES' || e?.code === 'EBUSY' || e?.code === 'EPERM'
        ? 'Close the workbook if it is open in Excel, and check that the folder is writable.'
        : undefined,
      cause: err,
    });
  }

  async open(): Promise<void> {
    if (this.store) return;
    try {
      await ensureDir(dirname(this.path));
      this.store = (await readSidecar(sidecarPath(this.path))) ?? { generation: 0, tables: new Map(), state: [] };
      this.runs = await readRunsFile(runsPath(this.path));
      this.workbookStale = !existsSync(this.path);
    } catch (err) {
      throw this.fail(err, 'opening');
    }
  }

  /**
   * Save a new version of the store (the sidecar's rename is the commit point). The workbook is
   * rendered from it at close (or `flush`), once per run rather than once per commit: a sync
   * commits every 100,000 rows and rendering is the slow part.
   */
  private async persist(next: StoreData): Promise<void> {
    for (const t of next.tables.values()) {
      if (t.rows.size > this.maxRows) {
        throw new SyncError(
          'XLSX_TOO_MANY_ROWS',
          `Table "${t.name}" would have ${t.rows.size.toLocaleString('en')} rows, more than the ${this.maxRows.toLocaleString('en')} an Excel sheet holds; nothing was written.`,
          { kind: 'destination', hint: 'Narrow the date range or the streams, or use the csv:, parquet:, duckdb: or postgres:// destination for data this large.' },
        );
      }
    }
    try {
      await writeSidecar(sidecarPath(this.path), next);
    } catch (err) {
      throw this.fail(err, 'saving the data');
    }
    this.workbookStale = true;
  }

  /** Write the workbook now (temporary file renamed into place) if anything changed since the last time. */
  async flush(): Promise<void> {
    const data = this.data();
    if (!this.workbookStale) return;
    const workbookTmp = tempPath(this.path);
    try {
      await renderWorkbook({
        path: workbookTmp,
        destination: this.description,
        writtenAt: this.now(),
        tables: [...data.tables.values()],
        state: data.state,
        runs: this.runs.runs,
        runInfo: this.runs.runInfo,
      });
      await rename(workbookTmp, this.path);
      this.workbookStale = false;
    } catch (err) {
      await rm(workbookTmp, { force: true }).catch(() => {});
      throw this.fail(err, 'writing the workbook');
    }
  }

  async ensureTables(tables: TableSchema[]): Promise<SchemaChange[]> {
    const data = this.data();
    const changes: SchemaChange[] = [];
    const next = new Map(data.tables);
    for (const schema of tables) {
      const have = next.get(schema.name);
      if (!have) {
        const t: StoredTable = { name: schema.name, columns: schema.columns.map((c) => ({ name: c.name, type: c.type })), primaryKey: [...schema.primaryKey], rows: new Map() };
        if (schema.parent) t.parent = { table: schema.parent.table, columns: [...schema.parent.columns] };
        next.set(schema.name, t);
        changes.push({ table: schema.name, kind: 'created' });
      } else {
        const columns = [...have.columns];
        for (const c of schema.columns) {
          const old = columns.find((x) => x.name === c.name);
          if (!old) {
            columns.push({ name: c.name, type: c.type });
            changes.push({ table: schema.name, kind: 'column-added', column: c.name });
          } else if (old.type !== c.type) {
            changes.push({ table: schema.name, kind: 'type-mismatch', column: c.name, detail: `stored as ${old.type}, the catalog now says ${c.type}; left as it is` });
          }
        }
        if (columns.length !== have.columns.length) next.set(schema.name, { ...have, columns });
      }
      this.catalog.set(schema.name, new Set(schema.columns.map((c) => c.name)));
    }
    if (changes.some((c) => c.kind !== 'type-mismatch')) {
      const store = { ...data, generation: data.generation + 1, tables: next };
      await this.persist(store);
      this.store = store;
    }
    return changes;
  }

  async readState(): Promise<StateRecord[]> {
    return this.data().state.map((s) => ({ ...s, updatedAt: new Date(s.updatedAt) }));
  }

  async resetState(filter: { stream?: string; workspaceId?: string } = {}): Promise<number> {
    const data = this.data();
    const keep = data.state.filter((s) => (filter.stream !== undefined && s.stream !== filter.stream) || (filter.workspaceId !== undefined && s.workspaceId !== filter.workspaceId));
    const removed = data.state.length - keep.length;
    if (removed > 0) {
      const store = { ...data, generation: data.generation + 1, state: keep };
      await this.persist(store);
      this.store = store;
    }
    return removed;
  }

  async begin(): Promise<Transaction> {
    this.data();
    if (this.current && !this.current.finished) {
      throw new SyncError('DESTINATION_TX_OPEN', 'A transaction is already open on this destination; commit or roll it back first.', { kind: 'destination' });
    }
    const host = {
      data: () => this.data(),
      allowed: (table: string) => this.catalog.get(table) ?? new Set(this.data().tables.get(table)?.columns.map((c) => c.name) ?? []),
      commitTx: (tables: Map<string, Map<string, StoredRow>>, state: StateRecord[], changed: boolean) => this.commitTx(tables, state, changed),
      txEnded: (tx: XlsxTransaction) => {
        if (this.current === tx) this.current = null;
      },
    };
    this.current = new XlsxTransaction(host, this.now().getTime());
    return this.current;
  }

  private async commitTx(tables: Map<string, Map<string, StoredRow>>, state: StateRecord[], changed: boolean): Promise<void> {
    const data = this.data();
    const nextTables = new Map(data.tables);
    for (const [name, rows] of tables) nextTables.set(name, { ...data.tables.get(name)!, rows });
    const byKey = new Map(data.state.map((s) => [`${s.workspaceId}\u0001${s.stream}\u0001${s.partition}`, s]));
    for (const s of state) {
      byKey.set(`${s.workspaceId}\u0001${s.stream}\u0001${s.partition}`, {
        workspaceId: s.workspaceId, stream: s.stream, partition: s.partition,
        cursor: s.cursor === undefined ? null : JSON.parse(JSON.stringify(s.cursor)), updatedAt: s.updatedAt.getTime(),
      });
    }
    const store: StoreData = { generation: data.generation + 1, tables: nextTables, state: [...byKey.values()] };
    // nothing changed (an incremental run that found nothing new): keep the files as they are
    if (!changed && stableJson(store.state) === stableJson(data.state)) return;
    await this.persist(store);
    this.store = store;
  }

  async recordRun(run: RunRecord): Promise<void> {
    this.data();
    const runs = this.runs.runs.filter((r) => r.runId !== run.runId);
    runs.push({ ...run, rowsPerTable: { ...run.rowsPerTable }, error: run.error ?? null });
    runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.runId < b.runId ? -1 : 1));
    this.runs = { ...this.runs, runs };
    await this.saveRuns();
  }

  async readRuns(): Promise<RunRecord[]> {
    this.data();
    return this.runs.runs.map((r) => ({ ...r }));
  }

  async setRunInfo(info: XlsxRunInfo): Promise<void> {
    this.data();
    this.runs = { ...this.runs, runInfo: info };
    await this.saveRuns();
  }

  private async saveRuns(): Promise<void> {
    try {
      await writeRunsFile(runsPath(this.path), this.runs);
    } catch (err) {
      throw this.fail(err, 'recording the run');
    }
    this.workbookStale = true;
  }

  async *readTable(table: string): AsyncIterable<Row> {
    const t = this.data().tables.get(table);
    if (!t) throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${table}" does not exist in ${this.description}.`, { kind: 'destination' });
    for (const r of sortedRows(t)) {
      const row: Row = {};
      for (let i = 0; i < t.columns.length; i++) row[t.columns[i].name] = fromStored(t.columns[i].type, r.v[i]);
      row._loaded_at = new Date(r.loadedAt);
      row._deleted_at = r.deletedAt === null ? null : new Date(r.deletedAt);
      yield row;
    }
  }

  async close(): Promise<void> {
    if (this.current) await this.current.rollback();
    this.current = null;
    try {
      if (this.store) await this.flush();
    } finally {
      this.store = null;
    }
  }
}
