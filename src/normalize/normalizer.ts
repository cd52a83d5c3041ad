/**
 * Records → rows per table. Every row carries `workspace_id`. Nested objects become
 * `parent__child` columns, declared lists become child tables keyed to their parent,
 * timestamps become Date, ISO durations stay text and gain `<name>_seconds`. A field the schema
 * does not know becomes a new column (reported in `newColumns` and visible in `tables()`),
 * never an error, never dropped.
 *
 * Speed: each table's plan is compiled into a straight-line function (normalize-compile.ts);
 * records with fields the plan does not know take the interpreted path below, which learns them.
 */
import type { Column, Row, TableSchema } from './table-schema.ts';
import type { StreamDef } from '../streams/stream-types.ts';
import { learnField, planStream, scalarColumnFor } from './normalize-plan.ts';
import type { ChildPlan, LevelPlan, StreamPlan, TablePlan } from './normalize-plan.ts';
import { compileTable, compileValueRow } from './normalize-compile.ts';
import type { CompiledFill, CompiledValueRow } from './normalize-compile.ts';
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
   * Columns that appeared in this batch (not in the schema, not in an earlier batch). When this
   * is not empty, call `destination.ensureTables(normalizer.tablesFor(stream))` before writing
   * these rows.
   */
  newColumns: NewColumn[];
}

export interface Normalizer {
  /** Every table of every stream of this normalizer (stream order, each stream then its children); grows as new fields appear. */
  tables(): TableSchema[];
  /** The tables of one stream: its own, then its child tables. */
  tablesFor(stream: string): TableSchema[];
  normalize(stream: string, workspaceId: string, records: readonly unknown[]): NormalizeResult;
  /** The flattening plan of a stream (grows as new fields appear): raw pages are shaped and loaded from it. */
  planFor(stream: string): StreamPlan;
}

const NO_PARENT: ReadonlyArray<{ from: string; to: string }> = [];

/** A table plan with its compiled fill, rebuilt when the plan has learned fields. */
class Filler {
  private compiled: CompiledFill | undefined;
  private version = -1;
  constructor(
    readonly table: TablePlan,
    private readonly parentColumns: ReadonlyArray<{ from: string; to: string }>,
  ) {}

  private valueRow: CompiledValueRow | undefined;

  /** A child row for one value of a list of ids/scalars. */
  value(ws: string, parent: Row, valueColumn: string, value: unknown): Row {
    this.valueRow ??= compileValueRow(this.parentColumns, valueColumn);
    return this.valueRow(ws, parent, value);
  }

  fill(rec: Record<string, unknown>, ws: string, parent: Row | null, deferred: unknown[]): Row {
    if (this.version !== this.table.version) {
      this.compiled = compileTable(this.table, this.parentColumns);
      this.version = this.table.version;
    }
    const fast = this.compiled!(rec, ws, parent, deferred);
    if (fast !== null) return fast;
    // Unknown fields: the interpreted path learns them (and the next call recompiles).
    deferred.length = 0;
    const row: Row = { workspace_id: ws };
    if (parent) for (const p of this.parentColumns) row[p.to] = parent[p.from];
    fillLevel(this.table, this.table.root, rec, row, deferred);
    return row;
  }
}

export function createNormalizer(streams: readonly StreamDef[]): Normalizer {
  const plans = new Map<string, { plan: StreamPlan; main: Filler; children: Map<ChildPlan, Filler> }>();
  for (const def of streams) {
    const plan = planStream(def);
    plans.set(def.name, {
      plan,
      main: new Filler(plan.table, NO_PARENT),
      children: new Map(plan.children.map((c) => [c, new Filler(c.table, c.parentColumns)])),
    });
  }
  const entryFor = (stream: string) => {
    const e = plans.get(stream);
    if (!e) throw new SyncError('UNKNOWN_STREAM', `The normalizer was not built for stream "${stream}".`);
    return e;
  };
  const tablesOf = (p: StreamPlan) => [p.table.schema, ...p.children.map((c) => c.table.schema)];

  return {
    tables: () => [...plans.values()].flatMap((e) => tablesOf(e.plan)),
    tablesFor: (stream) => tablesOf(entryFor(stream).plan),
    planFor: (stream) => entryFor(stream).plan,
    normalize(stream, workspaceId, records) {
      const { plan, main, children } = entryFor(stream);
      const out = new Map<string, Row[]>();
      const mainRows: Row[] = [];
      out.set(plan.table.schema.name, mainRows);
      const childRows = new Map<ChildPlan, Row[]>();
      for (const c of plan.children) {
        const rows: Row[] = [];
        out.set(c.table.schema.name, rows);
        childRows.set(c, rows);
      }
      const deferred: unknown[] = [];
      for (const record of records) {
        if (record === null || typeof record !== 'object') continue;
        deferred.length = 0;
        const row = main.fill(record as Record<string, unknown>, workspaceId, null, deferred);
        mainRows.push(row);
        for (let i = 0; i < deferred.length; i += 2) {
          const child = deferred[i] as ChildPlan;
          emitChildren(child, children.get(child)!, row, workspaceId, deferred[i + 1], childRows.get(child)!);
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

function fillLevel(table: TablePlan, level: LevelPlan, obj: Record<string, unknown>, row: Row, deferred: unknown[]): void {
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
        else if (value !== null && value !== undefined) row[scalarColumnFor(table, f)] = value;
        break;
      case 'child':
        deferred.push(f.child, value);
        break;
      case 'skip':
        break;
    }
  }
  const fb = level.durationFallback;
  if (fb !== undefined && (row[fb.secondsColumn] === undefined || row[fb.secondsColumn] === null)) {
    const s = row[fb.startColumn];
    const e = row[fb.endColumn];
    if (s instanceof Date && e instanceof Date) row[fb.secondsColumn] = Math.round((e.getTime() - s.getTime()) / 1000);
  }
}

/** Child items hold no declared lists, so nothing is ever deferred into this. */
const SCRATCH: unknown[] = [];

function emitChildren(child: ChildPlan, filler: Filler, parent: Row, workspaceId: string, list: unknown, out: Row[]): void {
  if (!Array.isArray(list) || list.length === 0) return;
  const valueColumn = child.def.valueColumn;
  const seen = valueColumn && list.length > 1 ? new Set<unknown>() : undefined;
  for (const item of list) {
    if (item === null || item === undefined) continue;
    if (valueColumn) {
      if (seen) {
        if (seen.has(item)) continue;
        seen.add(item);
      }
      out.push(filler.value(workspaceId, parent, valueColumn, typeof item === 'object' ? JSON.stringify(item) : item));
    } else {
      if (typeof item !== 'object' || Array.isArray(item)) continue;
      // Lists inside child items are not declared as tables: they are JSON columns.
      SCRATCH.length = 0;
      out.push(filler.fill(item as Record<string, unknown>, workspaceId, parent, SCRATCH));
    }
  }
}
