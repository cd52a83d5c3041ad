/**
 * The flattening plan of a stream, built once from its schema and grown when records bring
 * fields the schema does not know. A plan level maps each API key to what to do with it, so
 * normalizing a record is a loop over its keys with one Map lookup each: no regex, no closure
 * per row.
 */
import type { Column, ColumnType, TableSchema } from './table-schema.ts';
import type { FieldSchema, ObjectSchema, StreamDef, ChildDef } from '../streams/stream-types.ts';
import { CONVERTERS, inferType } from './values.ts';
import type { Convert } from './values.ts';
import { nested, snakeCase } from './naming.ts';

export type FieldPlan =
  | { kind: 'value'; column: string; convert: Convert }
  | { kind: 'duration'; column: string; secondsColumn: string }
  /** `scalarColumn`: learned when the API sends a non-object where an object was expected (kept as JSON). */
  | { kind: 'object'; level: LevelPlan; scalarColumn?: string }
  | { kind: 'child'; child: ChildPlan }
  | { kind: 'skip' };

export interface LevelPlan {
  /** Column-name prefix of this level ('' at the root). */
  prefix: string;
  fields: Map<string, FieldPlan>;
  /** A `duration` whose seconds are computed from `start`/`end` when the duration is null. */
  durationFallback?: { secondsColumn: string; startColumn: string; endColumn: string };
}

export interface TablePlan {
  schema: TableSchema;
  columns: Set<string>;
  root: LevelPlan;
  /** New columns found while normalizing, not yet reported. */
  pending: Column[];
  /** Bumped whenever the plan learns a field (the compiled fill is then rebuilt). */
  version: number;
}

export interface ChildPlan {
  def: ChildDef;
  table: TablePlan;
  /** Parent key column of the parent row → column in the child row. */
  parentColumns: Array<{ from: string; to: string }>;
}

export interface StreamPlan {
  def: StreamDef;
  table: TablePlan;
  children: ChildPlan[];
  /** Parent key columns → child key columns, shared by every child of the stream. */
  parentColumns: Array<{ from: string; to: string }>;
}

/** The type of one of a table plan's columns (undefined: not a column of it). */
export function planColumnType(table: TablePlan, column: string): ColumnType | undefined {
  return table.schema.columns.find((c) => c.name === column)?.type;
}

function addColumn(table: TablePlan, name: string, type: ColumnType, reportNew: boolean): string {
  let column = name;
  for (let n = 2; table.columns.has(column); n++) column = `${name}_${n}`;
  table.columns.add(column);
  const col: Column = { name: column, type, nullable: !table.schema.primaryKey.includes(column) };
  table.schema.columns.push(col);
  if (reportNew) table.pending.push(col);
  return column;
}

function newTable(name: string, primaryKey: string[], parent?: TableSchema['parent']): TablePlan {
  const schema: TableSchema = { name, columns: [], primaryKey, ...(parent ? { parent } : {}) };
  return { schema, columns: new Set(), root: { prefix: '', fields: new Map() }, pending: [], version: 0 };
}

/** Plans the fields of an object schema at `level` (columns in schema order). */
function planObject(table: TablePlan, level: LevelPlan, schema: ObjectSchema, childFor: (key: string) => FieldPlan | undefined): void {
  for (const [key, field] of Object.entries(schema.properties)) {
    if (level.fields.has(key)) continue;
    const own = level.prefix === '' ? childFor(key) : undefined;
    if (own) {
      level.fields.set(key, own);
      continue;
    }
    level.fields.set(key, planField(table, level, key, field, false));
  }
  addDurationFallback(level);
}

function planField(table: TablePlan, level: LevelPlan, key: string, field: FieldSchema, reportNew: boolean): FieldPlan {
  const name = nested(level.prefix, snakeCase(key));
  switch (field.type) {
    case 'object': {
      const sub: LevelPlan = { prefix: name, fields: new Map() };
      planObject(table, sub, field, () => undefined);
      return { kind: 'object', level: sub };
    }
    case 'array':
    case 'any':
      return { kind: 'value', column: addColumn(table, name, 'json', reportNew), convert: CONVERTERS.json };
    case 'string': {
      if (field.format === 'duration') {
        const column = addColumn(table, name, 'text', reportNew);
        const secondsColumn = addColumn(table, `${name}_seconds`, 'bigint', reportNew);
        return { kind: 'duration', column, secondsColumn };
      }
      const type: ColumnType = field.format === 'date-time' ? 'timestamptz' : field.format === 'date' ? 'date' : 'text';
      return { kind: 'value', column: addColumn(table, name, type, reportNew), convert: CONVERTERS[type] };
    }
    case 'integer':
      return { kind: 'value', column: addColumn(table, name, 'bigint', reportNew), convert: CONVERTERS.bigint };
    case 'number':
      return { kind: 'value', column: addColumn(table, name, 'double', reportNew), convert: CONVERTERS.double };
    case 'boolean':
      return { kind: 'value', column: addColumn(table, name, 'boolean', reportNew), convert: CONVERTERS.boolean };
  }
}

function addDurationFallback(level: LevelPlan): void {
  const d = level.fields.get('duration');
  const s = level.fields.get('start');
  const e = level.fields.get('end');
  if (d?.kind === 'duration' && s?.kind === 'value' && e?.kind === 'value') {
    level.durationFallback = { secondsColumn: d.secondsColumn, startColumn: s.column, endColumn: e.column };
  }
}

/**
 * A field the plan does not know, seen with a non-null value: objects are flattened (their
 * fields learned as they come), everything else becomes one column typed from the value
 * (lists as JSON). Reported through `table.pending`.
 */
export function learnField(table: TablePlan, level: LevelPlan, key: string, value: unknown): FieldPlan {
  const name = nested(level.prefix, snakeCase(key));
  let plan: FieldPlan;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    plan = { kind: 'object', level: { prefix: name, fields: new Map() } };
  } else {
    const type = inferType(value);
    plan = { kind: 'value', column: addColumn(table, name, type, true), convert: CONVERTERS[type] };
  }
  level.fields.set(key, plan);
  table.version++;
  return plan;
}

/** The JSON column holding a non-object value sent where the plan expects an object. */
export function scalarColumnFor(table: TablePlan, f: Extract<FieldPlan, { kind: 'object' }>): string {
  if (f.scalarColumn === undefined) {
    f.scalarColumn = addColumn(table, f.level.prefix, 'json', true);
    table.version++;
  }
  return f.scalarColumn;
}

/** Builds the plan of one stream: its table, its child tables. */
export function planStream(def: StreamDef): StreamPlan {
  const table = newTable(def.name, [...def.primaryKey]);
  addColumn(table, 'workspace_id', 'text', false);
  const parentColumns = def.primaryKey.map((c) => ({ from: c, to: c === 'id' ? def.childKey : c }));
  const children: ChildPlan[] = def.children.map((child) => planChild(def, child, parentColumns));
  const byField = new Map<string, FieldPlan>(children.map((c) => [c.def.field, { kind: 'child', child: c } as FieldPlan]));
  for (const f of def.excludeFields ?? []) byField.set(f, { kind: 'skip' });
  // The workspace id comes from the context (records do not all carry it).
  byField.set('workspaceId', { kind: 'skip' });
  planObject(table, table.root, def.schema, (key) => byField.get(key));
  // Children and excluded fields the schema does not list are still handled as declared.
  for (const [key, plan] of byField) if (!table.root.fields.has(key)) table.root.fields.set(key, plan);
  // Key columns the schema did not declare (e.g. a composite key's workspace_id is already there).
  for (const k of def.primaryKey) if (!table.columns.has(k)) addColumn(table, k, 'text', false);
  return { def, table, children, parentColumns };
}

function planChild(def: StreamDef, child: ChildDef, parentColumns: Array<{ from: string; to: string }>): ChildPlan {
  const keyCols = parentColumns.map((p) => p.to);
  const own = child.valueColumn ? [child.valueColumn] : child.key ?? [];
  const primaryKey = [...keyCols, ...own.filter((c) => !keyCols.includes(c))];
  const table = newTable(child.table, primaryKey, { table: def.name, columns: keyCols });
  addColumn(table, 'workspace_id', 'text', false);
  for (const c of keyCols) if (!table.columns.has(c)) addColumn(table, c, 'text', false);
  const field = def.schema.properties[child.field];
  const items = field && field.type === 'array' ? field.items : undefined;
  if (child.valueColumn) {
    const type: ColumnType = items && items.type === 'integer' ? 'bigint' : items && items.type === 'number' ? 'double' : 'text';
    addColumn(table, child.valueColumn, type, false);
  } else {
    const skip = new Map<string, FieldPlan>();
    // An item's own copy of the parent key (e.g. a membership's userId) is the parent key column.
    if (items && items.type === 'object') {
      for (const key of Object.keys(items.properties)) {
        if (keyCols.includes(snakeCase(key)) || snakeCase(key) === 'workspace_id') skip.set(key, { kind: 'skip' });
      }
      planObject(table, table.root, items, (key) => skip.get(key));
    }
    for (const k of own) if (!table.columns.has(k)) addColumn(table, k, 'text', false);
  }
  return { def: child, table, parentColumns: parentColumns.map((p) => ({ from: p.from, to: p.to })) };
}
