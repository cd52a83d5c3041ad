/**
 * Renders the Excel destination's store as a workbook with exceljs' streaming writer: a first
 * sheet `About` that explains the run, then one sheet per table with typed cells (numbers,
 * booleans, dates as Excel dates in UTC), a bold frozen header row, an autofilter and column
 * widths fitted to the data.
 */
import { rm } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { ColumnType } from '../normalize/table-schema.ts';
import type { RunRecord } from './destination.ts';
import { type StoredRow, type StoredState, type StoredTable, type XlsxRunInfo } from './xlsx-store.ts';
import type { Stored } from './xlsx-values.ts';

/** Excel's limits. */
export const EXCEL_MAX_ROWS = 1_048_576;
export const EXCEL_MAX_CELL_CHARS = 32_767;
const SHEET_NAME_MAX = 31;

export interface RenderInput {
  /** Where to write (a temporary file that the caller renames into place). */
  path: string;
  destination: string;
  writtenAt: Date;
  tables: StoredTable[];
  state: StoredState[];
  runs: RunRecord[];
  runInfo: XlsxRunInfo | null;
}

/** Sheet names: ≤ 31 characters, none of : \ / ? * [ ], not quoted at the ends, unique (case-insensitively). */
export function sheetNames(tables: string[], reserved: string[] = ['About']): Map<string, string> {
  const used = new Set(reserved.map((r) => r.toLowerCase()));
  used.add('history'); // reserved by Excel
  const out = new Map<string, string>();
  for (const t of tables) {
    let base = t.replace(/[:\\/?*[\]]/g, '_').replace(/^'+|'+$/g, '').trim() || 'sheet';
    base = base.slice(0, SHEET_NAME_MAX);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) {
      const suffix = `~${n}`;
      name = base.slice(0, SHEET_NAME_MAX - suffix.length) + suffix;
    }
    used.add(name.toLowerCase());
    out.set(t, name);
  }
  return out;
}

const NUM_FMT: Partial<Record<ColumnType, string>> = {
  timestamptz: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
  decimal: '#,##0.00########',
};

interface CellStats {
  truncated: number;
}

function clip(s: string, stats: CellStats): string {
  if (s.length <= EXCEL_MAX_CELL_CHARS) return s;
  stats.truncated++;
  return s.slice(0, EXCEL_MAX_CELL_CHARS - 1) + '…';
}

/** A stored value → an Excel cell value. */
function cellValue(type: ColumnType, s: Stored | undefined, stats: CellStats): ExcelJS.CellValue {
  if (s === null || s === undefined) return null;
  switch (type) {
    case 'timestamptz':
      return new Date(s as number);
    case 'date':
      return new Date(`${s as string}T00:00:00Z`);
    case 'json':
      return clip(JSON.stringify(s), stats);
    case 'bigint':
    case 'double':
    case 'decimal':
      return typeof s === 'number' ? s : String(s);
    case 'boolean':
      return s as boolean;
    default:
      return clip(String(s), stats);
  }
}

function displayWidth(type: ColumnType, s: Stored | undefined): number {
  if (s === null || s === undefined) return 0;
  if (type === 'timestamptz') return 19;
  if (type === 'date') return 10;
  if (type === 'boolean') return 5;
  const text = typeof s === 'string' ? s : JSON.stringify(s);
  const nl = text.indexOf('\n');
  return Math.min(nl >= 0 ? nl : text.length, 200);
}

function asText(v: Date | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  return v instanceof Date ? v.toISOString() : v;
}

function addAbout(wb: ExcelJS.stream.xlsx.WorkbookWriter, input: RenderInput, names: Map<string, string>, truncated: number): void {
  const ws = wb.addWorksheet('About', { views: [{ state: 'frozen', ySplit: 0 }] });
  ws.columns = [{ width: 26 }, { width: 34 }, { width: 22 }, { width: 22 }, { width: 22 }, { width: 22 }];
  const bold: Partial<ExcelJS.Font> = { bold: true };
  const add = (values: ExcelJS.CellValue[], font?: Partial<ExcelJS.Font>) => {
    const row = ws.addRow(values);
    row.eachCell((c) => {
      const style: Partial<ExcelJS.Style> = {};
      if (font) style.font = font;
      if (c.value instanceof Date) style.numFmt = 'yyyy-mm-dd hh:mm:ss';
      c.style = style;
    });
    row.commit();
  };
  const last = input.runs.length > 0 ? input.runs[input.runs.length - 1] : null;
  const info = input.runInfo;
  const workspaces = info?.workspaces?.length
    ? info.workspaces.map((w) => (typeof w === 'string' ? w : w.name ? `${w.name} (${w.id})` : w.id))
    : [...new Set(input.state.map((s) => s.workspaceId))].filter((w) => w !== '');
  add(['Clockify export (clockify-sync)'], { bold: true, size: 14 });
  add([]);
  add(['Written at (UTC)', input.writtenAt], bold);
  add(['Destination', input.destination]);
  add(['Workspaces', workspaces.length ? workspaces.join(', ') : '—']);
  add(['Date range', info?.range ? `${asText(info.range.from) || '…'} → ${asText(info.range.to) || 'now'}` : 'everything the sync covers']);
  add(['Mode', info?.mode ?? last?.mode ?? '—']);
  if (last) {
    add(['Last run', `${last.runId} — ${last.status}`]);
    add(['Started / ended (UTC)', last.startedAt, last.endedAt ?? '—']);
    add(['API requests', last.requests]);
    if (last.error) add(['Error', last.error]);
  }
  add(['Times', 'Every date and time in this workbook is in UTC.']);
  add(['Note', 'clockify-sync rewrites this workbook on every run: edits made here are not kept. Its data is kept in the .sync.jsonl.gz file next to it.']);
  if (truncated > 0) add(['Truncated cells', `${truncated} cell(s) longer than Excel's ${EXCEL_MAX_CELL_CHARS} characters were cut (ending in …); the full text is in the .sync.jsonl.gz file.`]);
  for (const n of info?.notes ?? []) add(['Note', n]);
  add([]);
  add(['Sheet', 'Table', 'Rows', 'Deleted (soft)', 'Columns'], bold);
  for (const t of input.tables) {
    let deleted = 0;
    for (const r of t.rows.values()) if (r.deletedAt !== null) deleted++;
    add([names.get(t.name)!, t.name, t.rows.size, deleted, t.columns.length]);
  }
  if (input.state.length > 0) {
    add([]);
    add(['Sync state: stream', 'Workspace', 'Partition', 'Updated at (UTC)', 'Cursor'], bold);
    for (const s of input.state) add([s.stream, s.workspaceId, s.partition || '—', new Date(s.updatedAt), JSON.stringify(s.cursor) ?? '']);
  }
  if (input.runs.length > 0) {
    add([]);
    add(['Recent runs', 'Status', 'Mode', 'Started (UTC)', 'Ended (UTC)', 'Requests'], bold);
    for (const r of input.runs.slice(-20)) add([r.runId, r.status, r.mode, r.startedAt, r.endedAt, r.requests]);
  }
  ws.commit();
}

/** Rows of a table sorted by primary key (stored values). */
export function sortedRows(table: StoredTable): StoredRow[] {
  const index = new Map(table.columns.map((c, i) => [c.name, i]));
  const pk = table.primaryKey.map((c) => index.get(c)!);
  const rows = [...table.rows.values()];
  rows.sort((a, b) => {
    for (const i of pk) {
      const x = a.v[i];
      const y = b.v[i];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      const sx = String(x);
      const sy = String(y);
      if (sx !== sy) return sx < sy ? -1 : 1;
    }
    return 0;
  });
  return rows;
}

/** Write the workbook to `input.path` (the caller writes to a temporary path and renames). */
export async function renderWorkbook(input: RenderInput): Promise<{ truncatedCells: number }> {
  const tmp = input.path;
  const names = sheetNames(input.tables.map((t) => t.name));
  const stats: CellStats = { truncated: 0 };
  // the About sheet comes first but mentions truncation: count it before writing
  for (const t of input.tables) {
    for (const [i, c] of t.columns.entries()) {
      if (c.type !== 'text' && c.type !== 'json') continue;
      for (const r of t.rows.values()) {
        const s = r.v[i];
        if (s !== null && s !== undefined && (typeof s === 'string' ? s.length : JSON.stringify(s).length) > EXCEL_MAX_CELL_CHARS) stats.truncated++;
      }
    }
  }
  const truncated = stats.truncated;
  try {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: false });
    wb.creator = 'clockify-sync';
    wb.created = input.writtenAt;
    addAbout(wb, input, names, truncated);
    for (const t of input.tables) {
      const rows = sortedRows(t);
      const headers = [...t.columns.map((c) => c.name), '_loaded_at', '_deleted_at'];
      const types: ColumnType[] = [...t.columns.map((c) => c.type), 'timestamptz', 'timestamptz'];
      const widths = headers.map((h) => h.length);
      for (const r of rows.slice(0, 500)) {
        for (let i = 0; i < t.columns.length; i++) widths[i] = Math.max(widths[i], displayWidth(types[i], r.v[i]));
      }
      widths[headers.length - 2] = widths[headers.length - 1] = 19;
      const ws = wb.addWorksheet(names.get(t.name)!, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = headers.map((h, i) => ({
        header: h,
        key: h,
        width: Math.min(60, Math.max(8, widths[i] + 2)),
        ...(NUM_FMT[types[i]] ? { style: { numFmt: NUM_FMT[types[i]] } } : {}),
      }));
      ws.getRow(1).font = { bold: true };
      ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } };
      // one shared style object per column: exceljs caches a style's id by object identity,
      // which saves hashing a fresh style for every cell
      const shared: Partial<ExcelJS.Style>[] = types.map((ty) => (NUM_FMT[ty] ? { numFmt: NUM_FMT[ty] } : {}));
      const s2: CellStats = { truncated: 0 };
      for (const r of rows) {
        const values: ExcelJS.CellValue[] = new Array(headers.length);
        for (let i = 0; i < t.columns.length; i++) values[i] = cellValue(types[i], r.v[i], s2);
        values[headers.length - 2] = new Date(r.loadedAt);
        values[headers.length - 1] = r.deletedAt === null ? null : new Date(r.deletedAt);
        const row = ws.addRow(values);
        for (let i = 0; i < headers.length; i++) if (values[i] !== null) row.getCell(i + 1).style = shared[i];
        row.commit();
      }
      ws.commit();
    }
    await wb.commit();
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  return { truncatedCells: truncated };
}
