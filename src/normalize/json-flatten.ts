/**
 * Flattening a raw JSON page that fits its stream's shape (json-shape.ts checked it) into CSV:
 * one CSV text per table (the stream's and each child table), whose rows are exactly the rows the
 * normalizer makes of the page, less the workspace id (the loader adds it). A byte-level
 * transcoder: no JavaScript value is made per record; string values without escapes are copied
 * with their quotes (a JSON string without escapes is a quoted CSV field), numbers, booleans and
 * instants as they are written, durations also as seconds.
 *
 * Why CSV: DuckDB reads it about three times as fast as the JSON pages themselves (read_json
 * parses every record whole, once per table), and its reading was the sync's critical path.
 *
 * The CSV dialect: comma, `"` quotes doubled inside, `\n` between rows, an empty unquoted field
 * for null and `""` for an empty string. JSON-typed values are written as their JSON text, to be
 * minified by the reader (DuckDB's `json()`), as JSON.stringify writes them.
 */
import type { ColumnType } from './table-schema.ts';
import { closeString, findKey, instantMs, keyCode, nextBackslash, versionOf, type StringScan } from './json-shape.ts';
import { planColumnType, type ChildPlan, type LevelPlan, type StreamPlan, type TablePlan } from './normalize-plan.ts';

/** One table of a flat page: its name and its CSV columns in order (the workspace id is not one). */
export interface FlatTable {
  table: string;
  columns: Array<{ name: string; type: ColumnType }>;
}

/** How a plan's pages are flattened: the tables (the stream's first) and their CSV columns. */
export interface FlatShape {
  /** The plan's version this shape was built from (pages flattened with it have its columns). */
  version: number;
  tables: FlatTable[];
  /** @internal */
  root: Level;
  /** @internal per table and column: 1 for a JSON column */
  json: Uint8Array[];
  /** @internal slots of the stream's table holding its primary key */
  keySlots: number[];
  /** @internal per table: the duration fallbacks of its levels */
  fallbacks: Fallback[][];
  /**
   * @internal per child table (tables[1 + i]): the stream table's slots of its parent key, whether
   * it is a value list, and (object items) the item slots of its own key columns
   */
  children: Array<{ parentSlots: number[]; valueList: boolean; keySlots: number[] }>;
}

/** A flattened page: CSV bytes per table of its shape, in the shape's order. */
export interface FlatPage {
  shape: FlatShape;
  tables: Uint8Array[];
}

const V = 1; // a value: slot
const D = 2; // a duration: slot (text) and seconds slot
const O = 3; // an object: level
const S = 4; // skipped
const L = 5; // a child list

/** What to do with a key's value: its kind (V…L), its slots, its level (objects, object items). */
interface Field {
  k: number;
  slot: number;
  secSlot: number;
  level?: Level;
  /** L: index of the child table (tables[1 + child]); `level` is its items' (none for a list of values). */
  child: number;
}

interface KeyEntry {
  key: Uint8Array;
  field: Field;
}

/**
 * An object level: its keys by `keyCode`, and the keys in the order the last object of this
 * level had them (records of one API answer have their keys in one order, so the key at a
 * position is nearly always the one predicted, found with one comparison).
 */
interface Level {
  byCode: Map<number, KeyEntry[]>;
  order: KeyEntry[];
}

interface Fallback {
  sec: number;
  start: number;
  end: number;
}

/** Builds a plan's flat shape (call only when json-shape.ts gives the plan a shape). */
export function flatShapeOf(plan: StreamPlan): FlatShape {
  const tables: FlatTable[] = [{ table: plan.table.schema.name, columns: [] }];
  const fallbacks: Fallback[][] = [[]];
  const children: FlatShape['children'] = [];
  const rootCols = new Map<string, number>();
  const root = levelOf(plan.table, plan.table.root, tables[0], rootCols, fallbacks[0], (child) => {
    const t: FlatTable = { table: child.table.schema.name, columns: [] };
    tables.push(t);
    const fb: Fallback[] = [];
    fallbacks.push(fb);
    const cols = new Map<string, number>();
    const parentSlots: number[] = [];
    for (const p of child.parentColumns) {
      cols.set(p.to, t.columns.length);
      t.columns.push({ name: p.to, type: columnType(child.table, p.to) });
      parentSlots.push(-1); // resolved below, once the root's slots are known
    }
    const index = children.length;
    const valueColumn = child.def.valueColumn;
    const entry = { parentSlots, valueList: valueColumn !== undefined, keySlots: [] as number[] };
    children.push(entry);
    if (valueColumn) {
      t.columns.push({ name: valueColumn, type: columnType(child.table, valueColumn) });
      return { index };
    }
    const level = levelOf(child.table, child.table.root, t, cols, fb, () => {
      throw new Error('nested child lists');
    });
    const own = child.table.schema.primaryKey.filter((k) => !child.parentColumns.some((p) => p.to === k));
    entry.keySlots = own.map((k) => (cols.get(k) ?? -1) - parentSlots.length);
    return { index, level };
  });
  plan.children.forEach((child, i) => {
    children[i].parentSlots = child.parentColumns.map((p) => rootCols.get(p.from) ?? -1);
  });
  const keySlots = plan.table.schema.primaryKey.map((k) => rootCols.get(k) ?? -1);
  const json = tables.map((t) => Uint8Array.from(t.columns, (c) => (c.type === 'json' ? 1 : 0)));
  return { version: versionOf(plan), tables, root, keySlots, fallbacks, children, json };
}

function columnType(table: TablePlan, column: string): ColumnType {
  const t = planColumnType(table, column);
  if (!t) throw new Error(`column ${column} is not in ${table.schema.name}`);
  return t;
}

function levelOf(
  table: TablePlan, level: LevelPlan, out: FlatTable, cols: Map<string, number>, fallbacks: Fallback[],
  childOf: (c: ChildPlan) => { index: number; level?: Level },
): Level {
  const slot = (column: string) => {
    let s = cols.get(column);
    if (s === undefined) {
      cols.set(column, (s = out.columns.length));
      out.columns.push({ name: column, type: columnType(table, column) });
    }
    return s;
  };
  const map = new Map<number, KeyEntry[]>();
  for (const [key, f] of level.fields) {
    const field: Field = { k: S, slot: -1, secSlot: -1, child: -1 };
    if (f.kind === 'value') Object.assign(field, { k: V, slot: slot(f.column) });
    else if (f.kind === 'duration') Object.assign(field, { k: D, slot: slot(f.column), secSlot: slot(f.secondsColumn) });
    else if (f.kind === 'object') Object.assign(field, { k: O, level: levelOf(table, f.level, out, cols, fallbacks, childOf) });
    else if (f.kind === 'child') {
      const c = childOf(f.child);
      Object.assign(field, { k: L, child: c.index, level: c.level });
    }
    const bytes = Buffer.from(key, 'utf8');
    const code = keyCode(bytes, 0, bytes.length);
    const list = map.get(code);
    if (list) list.push({ key: bytes, field });
    else map.set(code, [{ key: bytes, field }]);
  }
  const fb = level.durationFallback;
  if (fb && cols.has(fb.secondsColumn) && cols.has(fb.startColumn) && cols.has(fb.endColumn)) {
    fallbacks.push({ sec: cols.get(fb.secondsColumn)!, start: cols.get(fb.startColumn)!, end: cols.get(fb.endColumn)! });
  }
  return { byCode: map, order: [] };
}

/**
 * A growing output buffer, reused from page to page (flattenPage is synchronous): a page's CSV
 * is copied out of it at the end, so no large buffer is allocated per page.
 */
class Out {
  buf = Buffer.allocUnsafe(1 << 20);
  pos = 0;
  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** Copies b[s, e) (room made by the caller). */
  copy(b: Uint8Array, s: number, e: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (e - s > 64) {
      buf.set(b.subarray(s, e), p);
      p += e - s;
    } else for (let k = s; k < e; k++) buf[p++] = b[k];
    this.pos = p;
  }
  /** A byte (room made by the caller). */
  byte(c: number): void {
    this.buf[this.pos++] = c;
  }
  /** An integer (room made by the caller: at most 17 bytes). */
  int(v: number): void {
    if (v < 0) {
      this.buf[this.pos++] = 0x2d;
      v = -v;
    }
    if (v < 10) {
      this.buf[this.pos++] = 0x30 + v;
      return;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let t = v; digits-- > 0; t = Math.floor(t / 10)) this.buf[--p] = 0x30 + (t % 10);
  }
  /** Text as a quoted CSV field. */
  quoted(s: string): void {
    const text = s.includes('"') ? s.replaceAll('"', '""') : s;
    this.room(text.length * 3 + 2);
    this.byte(0x22);
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.byte(0x22);
  }
  /** A copy of what was written (in a recycled buffer when one fits), and the buffer emptied for the next page. */
  take(): Uint8Array {
    const out = outputBuffer(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}

/**
 * Buffers of flat pages whose CSV has been written to its files (recycleFlatOutput), reused for
 * the next pages' CSV: the thread receiving the pages then frees nothing, and its garbage
 * collector, which a steady stream of freed buffers outside the heap kept calling, runs less.
 */
const recycled: ArrayBuffer[] = [];
const RECYCLED_MAX = 64;

export function recycleFlatOutput(buffers: readonly ArrayBuffer[]): void {
  for (const b of buffers) if (recycled.length < RECYCLED_MAX && b.byteLength > 0) recycled.push(b);
}

/** n bytes in a recycled buffer of at most twice that size (or 64 KB), or a new one with room to spare. */
function outputBuffer(n: number): Buffer {
  if (n === 0) return Buffer.from(new ArrayBuffer(0));
  for (let i = recycled.length - 1; i >= 0; i--) {
    const b = recycled[i];
    if (b.byteLength >= n && b.byteLength <= Math.max(2 * n, 65536)) {
      recycled[i] = recycled[recycled.length - 1];
      recycled.pop();
      return Buffer.from(b, 0, n);
    }
  }
  return Buffer.from(new ArrayBuffer(Math.ceil((n * 1.25) / 65536) * 65536), 0, n);
}

/**
 * Values of the record (or of a child list's items) being read: byte ranges of the page, -1
 * for null, COMPUTED for a number in `num`. Typed arrays, grown as needed, so that reading and
 * writing them stays monomorphic.
 */
class Slots {
  start: Int32Array;
  end: Int32Array;
  num: Float64Array;
  /** Child lists: items read for the current record. */
  rows = 0;
  constructor(n: number) {
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.num = new Float64Array(n);
  }
  /** Makes room for `n` values; returns `base`. */
  ensure(base: number, n: number): number {
    if (base + n > this.start.length) {
      const size = Math.max(this.start.length * 2, base + n);
      const start = new Int32Array(size);
      start.set(this.start);
      const end = new Int32Array(size);
      end.set(this.end);
      const num = new Float64Array(size);
      num.set(this.num);
      Object.assign(this, { start, end, num });
    }
    return base;
  }
}

const COMPUTED = -2;

/**
 * Flattens a page that fits (see json-shape.ts `scanJsonPage`) into CSV per table. Returns null
 * when a record has no value for its primary key, or a list item none for its own key columns
 * (the page then takes the normalizer's path, which says so), or when two items of one list
 * have the same key (the normalizer's rows then go through a merge, which keeps the last). So
 * a flat page never holds two child rows with one key under one parent (destinations rely on
 * it: duckdb-flat-loads.ts).
 */
export function flattenPage(b: Uint8Array, shape: FlatShape): FlatPage | null {
  while (scratch.length < shape.tables.length) scratch.push(new Out());
  const outs = scratch;
  for (const o of outs) o.pos = 0;
  const main = new Slots(shape.tables[0].columns.length);
  /** Per child table: the item rows of the current record (flat start/end pairs, and computed numbers). */
  const items = shape.children.map(() => new Slots(64));
  const r = new Reader(b, shape, items);
  let i = r.ws(0);
  if (b[i] !== 0x5b) return null;
  i = r.ws(i + 1);
  if (b[i] === 0x5d) return { shape, tables: shape.tables.map((_, t) => outs[t].take()) };
  for (;;) {
    main.start.fill(-1);
    for (const it of items) it.rows = 0;
    i = r.object(i, shape.root, main, 0);
    for (const fb of shape.fallbacks[0]) fallback(b, main, fb);
    for (const k of shape.keySlots) if (k < 0 || main.start[k] === -1) return null;
    for (let c = 0; c < items.length; c++) if (!itemKeysUsable(b, items[c], shape.children[c], shape.tables[c + 1].columns.length)) return null;
    writeRow(b, outs[0], main.start, main.end, main.num, 0, shape.tables[0].columns.length, shape, 0);
    for (let c = 0; c < items.length; c++) {
      const it = items[c];
      const child = shape.children[c];
      const out = outs[c + 1];
      const keys = child.parentSlots.length;
      const own = shape.tables[c + 1].columns.length - keys;
      for (let row = 0; row < it.rows; row++) {
        // The parent key, then the item's own columns.
        for (let p = 0; p < child.parentSlots.length; p++) {
          const s = child.parentSlots[p];
          writeField(b, out, main.start[s], main.end[s], main.num[s], shape.json[0][s]);
          out.room(1);
          out.byte(0x2c);
        }
        writeRow(b, out, it.start, it.end, it.num, row * own, own, shape, c + 1, keys);
      }
    }
    i = r.ws(i);
    if (b[i] === 0x2c) i = r.ws(i + 1);
    else break;
  }
  return { shape, tables: shape.tables.map((_, t) => outs[t].take()) };
}

/** Output buffers, one per table, reused by every call. */
const scratch: Out[] = [];

/** Whether every object item of a child list has its own key columns, and no two items the same values there. */
function itemKeysUsable(b: Uint8Array, items: Slots, child: FlatShape['children'][number], width: number): boolean {
  if (child.valueList || child.keySlots.length === 0) return true;
  const own = width - child.parentSlots.length;
  const keys = child.keySlots;
  for (let row = 0; row < items.rows; row++) {
    for (const k of keys) if (k < 0 || items.start[row * own + k] === -1) return false;
    for (let prev = 0; prev < row; prev++) {
      let same = true;
      for (let j = 0; same && j < keys.length; j++) {
        const x = row * own + keys[j];
        const y = prev * own + keys[j];
        same = sameValue(b, items.start[x], items.end[x], items.start[y], items.end[y]);
      }
      if (same) return false;
    }
  }
  return true;
}

function fallback(b: Uint8Array, s: Slots, fb: Fallback, base = 0): void {
  if (s.start[base + fb.sec] !== -1 || s.start[base + fb.start] < 0 || s.start[base + fb.end] < 0) return;
  const start = instantMs(b, s.start[base + fb.start] + 1, s.end[base + fb.start] - 1);
  const end = instantMs(b, s.start[base + fb.end] + 1, s.end[base + fb.end] - 1);
  s.start[base + fb.sec] = COMPUTED;
  s.num[base + fb.sec] = Math.round((end - start) / 1000);
}

/** Writes `width` fields from `start[from…]` as one CSV row of table `t` (its columns from `col0`). */
function writeRow(b: Uint8Array, out: Out, start: Int32Array, end: Int32Array, num: Float64Array, from: number, width: number, shape: FlatShape, t: number, col0 = 0): void {
  const json = shape.json[t];
  for (let k = 0; k < width; k++) {
    if (k > 0) {
      out.room(1);
      out.byte(0x2c);
    }
    writeField(b, out, start[from + k], end[from + k], num[from + k], json[col0 + k]);
  }
  out.room(1);
  out.byte(0x0a);
}

/**
 * One field: a byte range of the page (a token; strings with their quotes; `e` negated for a
 * string with escapes), a computed number, or null.
 */
function writeField(b: Uint8Array, out: Out, s: number, e: number, n: number, json: number): void {
  if (s === -1) return;
  if (s === COMPUTED) {
    out.room(20);
    return out.int(n);
  }
  const escaped = e < 0;
  if (escaped) e = -e;
  if (json === 1) {
    // The JSON text, quoted (the reader minifies it).
    out.room(2 * (e - s) + 2);
    out.byte(0x22);
    for (let k = s; k < e; k++) {
      const c = b[k];
      if (c === 0x22) out.byte(0x22);
      out.byte(c);
    }
    out.byte(0x22);
    return;
  }
  if (escaped) {
    // A string with escapes: decoded, then quoted for CSV.
    out.quoted(JSON.parse(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8')) as string);
    return;
  }
  out.room(e - s);
  out.copy(b, s, e);
}

/** `PT[nH][nM][nS]` → seconds (the form json-shape.ts lets through). */
function durationSeconds(b: Uint8Array, s: number, e: number): number {
  let total = 0;
  let v = 0;
  for (let k = s + 2; k < e; k++) {
    const c = b[k];
    if (c >= 0x30 && c <= 0x39) v = v * 10 + (c - 0x30);
    else {
      total += v * (c === 0x48 ? 3600 : c === 0x4d ? 60 : 1);
      v = 0;
    }
  }
  return total;
}

/** Recursive descent over a page known to be valid JSON of the shape. */
class Reader {
  /** Where the next backslash is, and whether the last string read held an escape (`escaped`). */
  private readonly str: StringScan;

  constructor(private readonly b: Uint8Array, private readonly shape: FlatShape, private readonly items: Slots[]) {
    this.str = { backslash: nextBackslash(b, 0), escaped: false, loneSurrogate: false };
  }

  /** Whether the last string read held an escape. */
  get escaped(): boolean {
    return this.str.escaped;
  }

  ws(i: number): number {
    const b = this.b;
    for (;;) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return i;
    }
  }

  /** The position after the string starting (quote) at i; sets `escaped` (strings are read in page order, as the scanner reads them). */
  string(i: number): number {
    return closeString(this.b, i + 1, this.str) + 1;
  }

  /** The position after the value starting at i. */
  skip(i: number): number {
    const b = this.b;
    const c = b[i];
    if (c === 0x22) return this.string(i);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      for (;;) {
        const d = b[i];
        if (d === 0x22) {
          i = this.string(i);
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          if (--depth === 0) return i + 1;
        }
        i++;
      }
    }
    // A number or a literal.
    for (i++; ; i++) {
      const d = b[i];
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09 || d === undefined) return i;
    }
  }

  /** Reads the object at i into `slots` (from `base`) by `level`. Returns the position after it. */
  object(i: number, level: Level, slots: Slots, base: number): number {
    const b = this.b;
    i = this.ws(i + 1);
    if (b[i] === 0x7d) return i + 1;
    for (let n = 0; ; n++) {
      const ks = i + 1;
      const predicted = level.order[n];
      let ke: number;
      let f: Field;
      if (predicted !== undefined && sameKey(b, ks, predicted.key)) {
        ke = ks + predicted.key.length;
        f = predicted.field;
      } else {
        ke = ks;
        while (b[ke] !== 0x22) ke++;
        const entry = find(level.byCode.get(keyCode(b, ks, ke)), b, ks, ke);
        level.order[n] = entry;
        f = entry.field;
      }
      i = this.ws(ke + 1);
      i = this.ws(i + 1); // the colon
      const c = b[i];
      if (c === 0x6e) i += 4; // null: the slot stays null
      else if (f.k === V || f.k === D) {
        const end = this.skip(i);
        slots.start[base + f.slot] = i;
        slots.end[base + f.slot] = c === 0x22 && this.escaped ? -end : end;
        if (f.k === D) {
          slots.start[base + f.secSlot] = COMPUTED;
          slots.num[base + f.secSlot] = durationSeconds(b, i + 1, end - 1);
        }
        i = end;
      } else if (f.k === O) i = this.object(i, f.level!, slots, base);
      else if (f.k === L) i = this.list(i, f);
      else i = this.skip(i);
      i = this.ws(i);
      if (b[i] === 0x2c) i = this.ws(i + 1);
      else return i + 1;
    }
  }

  /** Reads a child list at i into `items` (nulls left out, repeated values once). */
  list(i: number, f: Field): number {
    const b = this.b;
    const shape = this.shape;
    const items = this.items[f.child];
    const child = shape.children[f.child];
    const own = shape.tables[f.child + 1].columns.length - child.parentSlots.length;
    // The record's items (a repeated key's list replaces the first, as JSON.parse keeps the last).
    items.rows = 0;
    i = this.ws(i + 1);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      if (b[i] === 0x6e) i += 4;
      else if (child.valueList) {
        const end = this.skip(i);
        const e = b[i] === 0x22 && this.escaped ? -end : end;
        if (!repeated(b, items, i, e)) {
          items.ensure(items.rows, 1);
          items.start[items.rows] = i;
          items.end[items.rows] = e;
          items.num[items.rows] = 0;
          items.rows++;
        }
        i = end;
      } else {
        const base = items.ensure(items.rows * own, own);
        items.start.fill(-1, base, base + own);
        i = this.object(i, f.level!, items, base - child.parentSlots.length);
        for (const fb of shape.fallbacks[f.child + 1]) fallback(b, items, fb, base - child.parentSlots.length);
        items.rows++;
      }
      i = this.ws(i);
      if (b[i] === 0x2c) i = this.ws(i + 1);
      else return i + 1;
    }
  }
}

/** Whether the value b[s, e) is already among the record's items of this list, compared as values. */
function repeated(b: Uint8Array, items: Slots, s: number, e: number): boolean {
  for (let k = 0; k < items.rows; k++) if (sameValue(b, s, e, items.start[k], items.end[k])) return true;
  return false;
}

/**
 * Whether the values b[xs, xe) and b[ys, ye) (an end negated for a string with escapes) are the
 * same: two strings without escapes by their bytes; anything else once decoded.
 */
function sameValue(b: Uint8Array, xs: number, xe: number, ys: number, ye: number): boolean {
  if (xe > 0 && ye > 0 && b[xs] === 0x22 && b[ys] === 0x22) return xe - xs === ye - ys && sameBytes(b, xs, ys, xe - xs);
  return valueOf(b, xs, xe) === valueOf(b, ys, ye);
}

function sameBytes(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/** A value item's value (`e` negated for a string with escapes). */
function valueOf(b: Uint8Array, s: number, e: number): string | number {
  if (b[s] !== 0x22) return Number(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
  const text = Buffer.from(b.buffer, b.byteOffset + s, Math.abs(e) - s).toString('utf8');
  return e < 0 ? (JSON.parse(text) as string) : text.slice(1, -1);
}

/** Whether the key starting at b[ks] is `key` (its bytes, then the closing quote). */
function sameKey(b: Uint8Array, ks: number, key: Uint8Array): boolean {
  const n = key.length;
  if (b[ks + n] !== 0x22) return false;
  for (let k = 0; k < n; k++) if (b[ks + k] !== key[k]) return false;
  return true;
}

function find(list: KeyEntry[] | undefined, b: Uint8Array, start: number, end: number): KeyEntry {
  const entry = findKey(list, b, start, end);
  if (!entry) throw new Error('flattenPage: a key outside the shape (the page was not scanned)');
  return entry;
}
