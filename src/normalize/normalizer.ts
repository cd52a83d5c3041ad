/**
 * Records → rows per table. Every row carries `workspace_id`. Nested objects become
 * `parent__child` columns, declared lists become child tables keyed to their parent,
 * timestamps become Date, ISO durations stay text and gain `<name>_seconds`. A field the schema
 * does not know becomes a new column (reported in `newColumns` and visible in `tables()`),
 * never an error, never dropped.
 */
import type { Column, Row, TableSchema } from './table-schema.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import { learnField, planStream } from './normalize-plan.ts';
import type { ChildPlan, LevelPlan, StreamPlan, TablePlan } from './normalize-plan.ts';
import { isoDurationSeconds } from './values.ts';
import { SyncError } from '../errors.ts';

export interface NewColumn {
  table: string;
  column: Column;
}

export interface NormalizeResult {
  /** Table → rows, for the stream's table and each of its child tables (possibly empty), in `tablesFor` order. */
  rows: Map<string, Row[]>;
  /**
   * Columns that appeared in this batch (not in the schema, not in an earlier batch). Call
   * `destination.ensureTables(normalizer.tablesFor(stream))` before writing these rows when
   * this is not empty.
   */
  newColumns: NewColumn[];
}

export interface Normalizer {
  /** Every table of every stream of this normalizer (stream-table order, each stream then its children); grows as new fields appear. */
  tables(): TableSchema[];
  /** The tables of one stream: its own, then its child tables. */
  tablesFor(stream: string): TableSchema[];
  normalize(stream: string, workspaceId: string, records: readonly unknown[]): NormalizeResult;
}

type Deferred = Array<ChildPlan | unknown>;

export function createNormalizer(streams: readonly StreamDef[]): Normalizer {
  const plans = new Map<string, StreamPlan>();
  for (const def of streams) plans.set(def.name, planStream(def));

  const planFor = (stream: string): StreamPlan => {
    const plan = plans.get(stream);
    if (!plan) throw new SyncError('UNKNOWN_STREAM', `The normalizer was not built for stream "${stream}".`);
    return plan;
  };
  const tablesOf = (p: StreamPlan) => [p.table.schema, ...p.children.map((c) => c.table.schema)];

  return {
    tables: () => [...plans.values()].flatMap(tablesOf),
    tablesFor: (stream) => tablesOf(planFor(stream)),
    normalize(stream, workspaceId, records) {
      const plan = planFor(stream);
      const out = new Map<string, Row[]>();
      const mainRows: Row[] = [];
      out.set(plan.table.schema.name, mainRows);
      const childRows = plan.children.map((c) => {
        const rows: Row[] = [];
        out.set(c.table.schema.name, rows);
        return rows;
      });
      const deferred: Deferred = [];
      for (const record of records) {
        if (record === null || typeof record !== 'object') continue;
        const row: Row = { workspace_id: workspaceId };
        deferred.length = 0;
        fillLevel(plan.table, plan.table.root, record as Record<string, unknown>, row, deferred);
        mainRows.push(row);
        for (let i = 0; i < deferred.length; i += 2) {
          const child = deferred[i] as ChildPlan;
          emitChildren(child, row, workspaceId, deferred[i + 1], childRows[plan.children.indexOf(child)]);
        }
      }
      const newColumns: NewColumn[] = [];
      for (const t of [plan.table, ...plan.children.map((c) => c.table)]) {
        for (const column of t.pending) newColumns.push({ table: t.schema.name, column });
        t.pending.length = 0;
      }
      return { rows: out, newColumns };
    },
  };
}

function fillLevel(table: TablePlan, level: LevelPlan, obj: Record<string, unknown>, row: Row, deferred: Deferred): void {
  const fields = level.fields;
  for (const key in obj) {
    const value = obj[key];
    let f = fields.get(key);
    if (f === undefined) {
      if (value === null || value === undefined) continue;
      f = learnField(table, level, key, value);
    }
    switch (f.kind) {
      case 'value':
        if (value !== null && value !== undefined) row[f.column] = f.convert(value);
        break;
      case 'duration':
        if (value !== null && value !== undefined) {
          row[f.column] = typeof value === 'string' ? value : String(value);
          row[f.secondsColumn] = typeof value === 'number' ? value : isoDurationSeconds(value);
        }
        break;
      case 'object':
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) fillLevel(table, f.level, value as Record<string, unknown>, row, deferred);
        break;
      case 'child':
        deferred.push(f.child, value);
        break;
      case 'skip':
        break;
    }
  }
  const fb = level.durationFallback;
  if (fb !== undefined && row[fb.secondsColumn] === undefined) {
    const s = row[fb.startColumn];
    const e = row[fb.endColumn];
    if (s instanceof Date && e instanceof Date) row[fb.secondsColumn] = Math.round((e.getTime() - s.getTime()) / 1000);
  }
}

function emitChildren(child: ChildPlan, parent: Row, workspaceId: string, list: unknown, out: Row[]): void {
  if (!Array.isArray(list) || list.length === 0) return;
  const valueColumn = child.def.valueColumn;
  const seen = valueColumn && list.length > 1 ? new Set<unknown>() : undefined;
  for (const item of list) {
    if (item === null || item === undefined) continue;
    const row: Row = { workspace_id: workspaceId };
    for (const p of child.parentColumns) row[p.to] = parent[p.from];
    if (valueColumn) {
      if (seen) {
        if (seen.has(item)) continue;
        seen.add(item);
      }
      row[valueColumn] = typeof item === 'object' ? JSON.stringify(item) : item;
    } else {
      if (typeof item !== 'object' || Array.isArray(item)) continue;
      const nestedDeferred: Deferred = [];
      fillLevel(child.table, child.table.root, item as Record<string, unknown>, row, nestedDeferred);
    }
    out.push(row);
  }
}
