/**
 * The Excel destination's data store: all tables, rows and sync state in memory, saved as a
 * gzipped JSON-lines sidecar next to the workbook (`<file>.sync.jsonl.gz`). The workbook is a
 * rendering of this store; the sidecar is what incremental syncs merge into, so values are
 * kept exactly (Excel's own limits — 32,767 characters per cell, 15 significant digits,
 * no time zones — apply only to the rendering). Runs and run info live in `<file>.runs.json`.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { SyncError } from '../errors.ts';
import type { ColumnType } from '../normalize/table-schema.ts';
import type { RunRecord } from './destination.ts';
import type { Stored } from './xlsx-values.ts';

export interface StoredColumn {
  name: string;
  type: ColumnType;
}

export interface StoredRow {
  /** Values in the order of the table's columns; missing trailing values are null. */
  v: Stored[];
  loadedAt: number;
  deletedAt: number | null;
}

export interface StoredTable {
  name: string;
  /** Every column ever added (never dropped), in order. */
  columns: StoredColumn[];
  primaryKey: string[];
  parent?: { table: string; columns: string[] };
  rows: Map<string, StoredRow>;
}

export interface StoredState {
  workspaceId: string;
  stream: string;
  partition: string;
  cursor: unknown;
  updatedAt: number;
}

export interface StoreData {
  generation: number;
  tables: Map<string, StoredTable>;
  state: StoredState[];
}

/** Extra facts for the About sheet (workspaces, date range) given by the caller. */
export interface XlsxRunInfo {
  workspaces?: Array<string | { id: string; name?: string }>;
  range?: { from?: Date | string | null; to?: Date | string | null };
  mode?: string;
  notes?: string[];
}

export interface RunsFile {
  runs: RunRecord[];
  runInfo: XlsxRunInfo | null;
}

const FORMAT = 'clockify-sync-xlsx-store';

export function sidecarPath(workbook: string): string {
  return `${workbook}.sync.jsonl.gz`;
}

export function runsPath(workbook: string): string {
  return `${workbook}.runs.json`;
}

export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export function keyOf(table: StoredTable, v: Stored[], index: Map<string, number>): string {
  let key = '';
  for (const c of table.primaryKey) {
    const s = v[index.get(c)!];
    key += (typeof s === 'string' ? s : JSON.stringify(s)) + '\u0001';
  }
  return key;
}

export function columnIndex(table: StoredTable): Map<string, number> {
  return new Map(table.columns.map((c, i) => [c.name, i]));
}

function* sidecarLines(data: StoreData): Generator<string> {
  const tables = [...data.tables.values()];
  yield JSON.stringify({
    format: FORMAT,
    version: 1,
    generation: data.generation,
    tables: tables.map((t) => ({ name: t.name, columns: t.columns, primaryKey: t.primaryKey, parent: t.parent ?? null, rows: t.rows.size })),
    state: data.state,
  }) + '\n';
  for (const t of tables) {
    let buf = '';
    for (const r of t.rows.values()) {
      buf += JSON.stringify([r.loadedAt, r.deletedAt, ...r.v]) + '\n';
      if (buf.length > 1 << 20) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
}

/** Write the store to `path` atomically (temporary file, then rename). */
export async function writeSidecar(path: string, data: StoreData): Promise<void> {
  const tmp = tempPath(path);
  try {
    await pipeline(Readable.from(sidecarLines(data)), createGzip({ level: 1 }), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/** Read the store; null when there is none yet. */
export async function readSidecar(path: string): Promise<StoreData | null> {
  const input = createReadStream(path);
  const opened = await new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve(false) : reject(err)));
  });
  if (!opened) return null;
  const lines = createInterface({ input: input.pipe(createGunzip()), crlfDelay: Infinity });
  let header: {
    format: string; generation: number; state: StoredState[];
    tables: Array<{ name: string; columns: StoredColumn[]; primaryKey: string[]; parent: StoredTable['parent'] | null; rows: number }>;
  } | null = null;
  const tables = new Map<string, StoredTable>();
  const queue: Array<{ table: StoredTable; left: number; index: Map<string, number> }> = [];
  try {
    for await (const line of lines) {
      if (!header) {
        header = JSON.parse(line);
        if (header!.format !== FORMAT) throw new Error(`not a ${FORMAT} file`);
        for (const t of header!.tables) {
          const table: StoredTable = { name: t.name, columns: t.columns, primaryKey: t.primaryKey, rows: new Map() };
          if (t.parent) table.parent = t.parent;
          tables.set(t.name, table);
          queue.push({ table, left: t.rows, index: columnIndex(table) });
        }
        continue;
      }
      while (queue.length > 0 && queue[0].left === 0) queue.shift();
      const q = queue[0];
      if (!q) throw new Error('more rows than the header lists');
      const arr = JSON.parse(line) as Stored[];
      const v = arr.slice(2);
      q.table.rows.set(keyOf(q.table, v, q.index), { v, loadedAt: arr[0] as number, deletedAt: arr[1] as number | null });
      q.left--;
    }
  } catch (err) {
    throw new SyncError('XLSX_STORE_UNREADABLE', `The Excel destination's data file ${path} cannot be read (${(err as Error).message}).`, {
      kind: 'destination',
      hint: 'Delete it (and the workbook) to start over with a full sync.',
      cause: err,
    });
  }
  if (!header) return null;
  return { generation: header.generation, tables, state: header.state };
}

export async function readRunsFile(path: string): Promise<RunsFile> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as { runs: Array<Omit<RunRecord, 'startedAt' | 'endedAt'> & { startedAt: string; endedAt: string | null }>; runInfo: XlsxRunInfo | null };
    return {
      runs: raw.runs.map((r) => ({ ...r, startedAt: new Date(r.startedAt), endedAt: r.endedAt === null ? null : new Date(r.endedAt) })),
      runInfo: raw.runInfo ?? null,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], runInfo: null };
    throw new SyncError('XLSX_STORE_UNREADABLE', `The Excel destination's runs file ${path} cannot be read.`, { kind: 'destination', cause: err });
  }
}

export async function writeRunsFile(path: string, runs: RunsFile): Promise<void> {
  const tmp = tempPath(path);
  await writeFile(tmp, JSON.stringify(runs, null, 1));
  await rename(tmp, path);
}
