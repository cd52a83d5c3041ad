/**
 * The shape a stream's plan expects of a raw JSON page, and a one-pass byte scanner that checks
 * a page against it without making a JavaScript value.
 *
 * A page *fits* when every key at every level is one the plan knows (unescaped), and every value
 * has the JSON type its column takes as is: strings for text, ISO 8601 instants (`…Z` or
 * `…±hh:mm`, at most milliseconds) for timestamps, `PTnHnMnS` for durations, integers of at
 * most 15 digits for bigint, numbers for double, booleans for boolean, objects for nested
 * objects, lists of such items for child tables; JSON values hold no fractional or exponent
 * numbers (their text form could differ from JSON.stringify's). null fits anywhere. A page that
 * fits is flattened to CSV (json-flatten.ts), which the database loads as exactly the rows the
 * normalizer makes; anything else goes through the normalizer, which learns new fields.
 *
 * The scan also validates the page's structure (a complete top-level array, balanced, strings
 * closed), so a cut body is retried like one JSON.parse refuses, and it counts the records.
 */
import type { ColumnType } from './table-schema.ts';
import { planColumnType, type FieldPlan, type LevelPlan, type StreamPlan, type TablePlan } from './normalize-plan.ts';

const TEXT = 1;
const BIGINT = 2;
const DOUBLE = 3;
const BOOL = 4;
const TS = 5;
const DUR = 6;
const JSON_ = 7;
const SKIP = 8;
const OBJ = 9;
const LIST = 10;

interface ShapeField {
  t: number;
  /** The stream's cursor field: the earliest value is reported. */
  cursor?: boolean;
  level?: ShapeLevel;
  /** LIST: the items' field. */
  item?: ShapeField;
}

interface KeyEntry {
  key: Uint8Array;
  field: ShapeField;
}

/** Keys of one object level by `keyCode` of their UTF-8 bytes (checked byte by byte on a hit). */
type ShapeLevel = Map<number, KeyEntry[]>;

export interface JsonShape {
  root: ShapeField;
  /** The plan's version this shape was built from. */
  version: number;
}

/** Column types the raw path carries (a plan with decimal or date columns has no shape: its pages are parsed). */
const SCALARS: Partial<Record<ColumnType, number>> = { text: TEXT, bigint: BIGINT, double: DOUBLE, boolean: BOOL, timestamptz: TS, json: JSON_ };

/** A key's lookup code: its length and first two and last bytes (the bytes are compared on a hit). */
export function keyCode(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  return ((len & 0xff) << 24) | (b[start] << 16) | ((len > 1 ? b[start + 1] : 0) << 8) | b[end - 1];
}

class Unsupported extends Error {}

/** The shape of a stream's records (null when its plan holds a column type the raw path does not carry). */
export function shapeOf(plan: StreamPlan): JsonShape | null {
  const cursor = plan.def.cursorField?.split('.');
  try {
    return { root: { t: OBJ, level: levelShape(plan.table, plan.table.root, cursor) }, version: versionOf(plan) };
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

/** Sum of the versions of the stream's tables: changes whenever any of them learns a field. */
export function versionOf(plan: StreamPlan): number {
  let v = plan.table.version;
  for (const c of plan.children) v += c.table.version;
  return v;
}

function levelShape(table: TablePlan, level: LevelPlan, cursor: string[] | undefined): ShapeLevel {
  const out: ShapeLevel = new Map();
  for (const [key, f] of level.fields) {
    const field = fieldShape(table, f, cursor && cursor[0] === key ? cursor.slice(1) : undefined);
    const bytes = Buffer.from(key, 'utf8');
    const h = keyCode(bytes, 0, bytes.length);
    const list = out.get(h);
    if (list) list.push({ key: bytes, field });
    else out.set(h, [{ key: bytes, field }]);
  }
  return out;
}

function columnType(table: TablePlan, column: string): ColumnType {
  const type = planColumnType(table, column);
  if (!type) throw new Unsupported();
  return type;
}

function fieldShape(table: TablePlan, f: FieldPlan, cursor: string[] | undefined): ShapeField {
  switch (f.kind) {
    case 'value': {
      const t = SCALARS[columnType(table, f.column)];
      if (t === undefined) throw new Unsupported();
      return { t, cursor: cursor !== undefined && cursor.length === 0 && t === TS };
    }
    case 'duration':
      return { t: DUR };
    case 'object':
      return { t: OBJ, level: levelShape(table, f.level, cursor) };
    case 'skip':
      return { t: SKIP };
    case 'child': {
      const child = f.child;
      if (child.def.valueColumn) {
        const t = SCALARS[columnType(child.table, child.def.valueColumn)];
        if (t !== TEXT && t !== BIGINT && t !== DOUBLE) throw new Unsupported();
        return { t: LIST, item: { t } };
      }
      return { t: LIST, item: { t: OBJ, level: levelShape(child.table, child.table.root, undefined) } };
    }
  }
}

export interface JsonPageScan {
  /** Records (top-level items). */
  count: number;
  /** Non-null items of child lists (an estimate of the child rows). */
  childRows: number;
  fits: boolean;
  /** Earliest cursor-field instant (ms) among the records, Infinity when none. */
  minCursor: number;
  /** Count and the first bytes of the first and last records: the paginator's loop guard. */
  fingerprint: string;
}

const MAX_DEPTH = 256;

/**
 * Scans a page (a JSON array of records). Returns null when the bytes are not one complete JSON
 * array (cut, unbalanced, an unclosed string, a bad literal); `fits` says whether the page has the
 * shape (always false without one, and for a page nested deeper than MAX_DEPTH, whose count is
 * then -1: it is left to JSON.parse).
 */
export function scanJsonPage(b: Uint8Array, shape: JsonShape | null): JsonPageScan | null {
  const n = b.length;
  let i = 0;
  while (i < n && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  if (i >= n || b[i] !== 0x5b) return null;
  let fits = shape !== null;
  /** Per depth: 1 object, 2 array. */
  const kinds = new Uint8Array(MAX_DEPTH);
  /** Per object depth: its level (undefined inside a JSON or skipped value: `inner` applies). */
  const levels: (ShapeLevel | undefined)[] = [];
  /** Per depth inside a JSON or skipped value: that field (its nested values are held to it). */
  const inner: (ShapeField | undefined)[] = [];
  /** Per array depth: the field of its items. */
  const items: (ShapeField | undefined)[] = [];
  /** Per array depth: a child list (its non-null items are counted). */
  const childList = new Uint8Array(MAX_DEPTH);
  const unchecked: ShapeField = { t: SKIP };
  let depth = 1;
  kinds[1] = 2;
  items[1] = shape?.root ?? unchecked;
  let field: ShapeField = items[1];
  let expectKey = false;
  let count = 0;
  let childRows = 0;
  let minCursor = Infinity;
  let first = -1;
  let last = -1;
  const str: StringScan = { backslash: nextBackslash(b, i), escaped: false, loneSurrogate: false };
  for (i++; i < n; i++) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) continue;
    if (c === 0x2c) {
      if (kinds[depth] === 1) expectKey = true;
      else field = items[depth]!;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      if (kinds[depth] !== (c === 0x7d ? 1 : 2)) return null;
      expectKey = false;
      if (--depth === 0) {
        for (i++; i < n; i++) if (!(b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) return null;
        const fp = count === 0 ? '0' : `${count}:${latin1(b, first)}:${latin1(b, last)}`;
        return { count, childRows, fits, minCursor, fingerprint: fp };
      }
      continue;
    }
    if (expectKey) {
      if (c !== 0x22) return null;
      const start = i + 1;
      i = closeString(b, start, str);
      if (i < 0) return null;
      expectKey = false;
      if (str.loneSurrogate) fits = false;
      if (fits) {
        const level = levels[depth];
        if (level === undefined) field = inner[depth]!;
        else {
          const hit = str.escaped ? undefined : findKey(level.get(keyCode(b, start, i)), b, start, i)?.field;
          if (hit === undefined) {
            fits = false;
            field = unchecked;
          } else field = hit;
        }
      }
      continue;
    }
    // A value.
    if (depth === 1) {
      count++;
      if (first < 0) first = i;
      last = i;
    } else if (childList[depth] === 1 && c !== 0x6e) childRows++;
    const t = field.t;
    if (c === 0x7b || c === 0x5b) {
      // Deeper than tracked: left to JSON.parse (it validates and counts).
      if (++depth >= MAX_DEPTH) return { count: -1, childRows: 0, fits: false, minCursor: Infinity, fingerprint: '' };
      kinds[depth] = c === 0x7b ? 1 : 2;
      childList[depth] = 0;
      if (!fits) {
        levels[depth] = undefined;
        inner[depth] = unchecked;
        items[depth] = unchecked;
      } else if (t === JSON_ || t === SKIP) {
        levels[depth] = undefined;
        inner[depth] = field;
        items[depth] = field;
      } else if (c === 0x7b && t === OBJ) {
        levels[depth] = field.level;
      } else if (c === 0x5b && t === LIST) {
        items[depth] = field.item;
        childList[depth] = 1;
      } else {
        fits = false;
        levels[depth] = undefined;
        inner[depth] = unchecked;
        items[depth] = unchecked;
      }
      if (c === 0x7b) expectKey = true;
      else field = items[depth]!;
      // An empty container closes at once.
      continue;
    }
    if (c === 0x22) {
      const start = i + 1;
      i = closeString(b, start, str);
      if (i < 0) return null;
      // DuckDB refuses a page holding one (JSON.parse makes it U+FFFD).
      if (str.loneSurrogate) fits = false;
      const esc = str.escaped;
      if (fits) {
        if (t === TS) {
          const ms = esc ? NaN : instantMs(b, start, i);
          if (ms !== ms) fits = false;
          else if (field.cursor && ms < minCursor) minCursor = ms;
        } else if (t === DUR) {
          if (esc || !isDuration(b, start, i)) fits = false;
        } else if (t !== TEXT && t !== JSON_ && t !== SKIP) fits = false;
        if (depth === 1) fits = false;
      }
      continue;
    }
    if (c === 0x6e || c === 0x74 || c === 0x66) {
      const word = c === 0x6e ? NULL_BYTES : c === 0x74 ? TRUE_BYTES : FALSE_BYTES;
      for (let k = 1; k < word.length; k++) if (b[i + k] !== word[k]) return null;
      i += word.length - 1;
      if (fits && (depth === 1 || (c !== 0x6e && t !== BOOL && t !== JSON_ && t !== SKIP))) fits = false;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let plain = true;
      let exponent = false;
      for (; i + 1 < n; i++) {
        const d = b[i + 1];
        if (d >= 0x30 && d <= 0x39) continue;
        if (d === 0x2e || d === 0x2b || d === 0x2d) plain = false;
        else if (d === 0x65 || d === 0x45) plain = !(exponent = true);
        else break;
      }
      if (fits) {
        const digits = i + 1 - start - (c === 0x2d ? 1 : 0);
        if (t === SKIP || (t === DOUBLE && !exponent)) {
          // as is (an exponent could overflow where the normalizer refuses a non-finite number)
        } else if ((t === BIGINT || t === JSON_) && plain && digits <= 15) {
          // an exact integer
        } else fits = false;
        if (depth === 1) fits = false;
      }
      continue;
    }
    return null;
  }
  return null;
}

/** The scan's place among backslashes, and what the last string it closed held. */
export interface StringScan {
  /** The next backslash at or after the scan position (a string ending before it has no escape). */
  backslash: number;
  escaped: boolean;
  /** A `\uD800`–`\uDFFF` escape that is not half of a pair. */
  loneSurrogate: boolean;
}

/** The closing quote of the string (key or value) whose content starts at `start`, or -1; fills `s`. */
export function closeString(b: Uint8Array, start: number, s: StringScan): number {
  s.escaped = false;
  s.loneSurrogate = false;
  let end = b.indexOf(0x22, start);
  if (end < 0 || end < s.backslash) return end;
  s.escaped = true;
  end = stringEnd(b, start);
  if (end < 0) return -1;
  s.backslash = nextBackslash(b, end);
  s.loneSurrogate = loneSurrogate(b, start, end);
  return end;
}

/** Position of the closing quote of a string with escapes starting at `start`, or -1. */
function stringEnd(b: Uint8Array, start: number): number {
  for (let i = start; i < b.length; i++) {
    const d = b[i];
    if (d === 0x22) return i;
    if (d === 0x5c) i++;
  }
  return -1;
}

function hex4(b: Uint8Array, at: number): number {
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = b[k];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** A `\uD800`–`\uDFFF` escape in b[start, end) that is not half of a pair. */
function loneSurrogate(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (b[i] !== 0x5c) continue;
    if (b[i + 1] !== 0x75) {
      i++;
      continue;
    }
    const u = hex4(b, i + 2);
    if (u >= 0xd800 && u <= 0xdbff) {
      const low = b[i + 6] === 0x5c && b[i + 7] === 0x75 ? hex4(b, i + 8) : -1;
      if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
      i += 11;
    } else if (u >= 0xdc00 && u <= 0xdfff) return true;
    else i += 5;
  }
  return false;
}

export function nextBackslash(b: Uint8Array, from: number): number {
  const k = b.indexOf(0x5c, from);
  return k < 0 ? Infinity : k;
}

const NULL_BYTES = Buffer.from('null');
const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');

/** The entry of `list` (keys of one `keyCode`) whose key is the bytes b[start, end). */
export function findKey<E extends { key: Uint8Array }>(list: E[] | undefined, b: Uint8Array, start: number, end: number): E | undefined {
  if (list === undefined) return undefined;
  for (const e of list) {
    if (e.key.length !== end - start) continue;
    let same = true;
    for (let k = 0; k < e.key.length; k++) {
      if (e.key[k] !== b[start + k]) {
        same = false;
        break;
      }
    }
    if (same) return e;
  }
  return undefined;
}

function latin1(b: Uint8Array, at: number): string {
  return Buffer.from(b.buffer, b.byteOffset + at, Math.min(64, b.length - at)).toString('latin1');
}

function num(b: Uint8Array, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const d = b[k] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DDThh:mm:ss[.f{1,3}](Z|±hh:mm)` → epoch ms (NaN for anything else, years before 1000 included). */
export function instantMs(b: Uint8Array, s: number, e: number): number {
  if (e - s < 20 || b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 10] !== 0x54 || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return NaN;
  const y = num(b, s, 4);
  const mo = num(b, s + 5, 2);
  const d = num(b, s + 8, 2);
  const h = num(b, s + 11, 2);
  const mi = num(b, s + 14, 2);
  const se = num(b, s + 17, 2);
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= DAYS[mo - 1] && h <= 23 && mi <= 59 && se <= 59)) return NaN;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return NaN;
  let k = s + 19;
  let frac = 0;
  if (b[k] === 0x2e) {
    const fs = ++k;
    while (k < e && b[k] >= 0x30 && b[k] <= 0x39) k++;
    const len = k - fs;
    if (len < 1 || len > 3) return NaN;
    frac = num(b, fs, len) * (len === 1 ? 100 : len === 2 ? 10 : 1);
  }
  let offset = 0;
  if (b[k] === 0x5a && k + 1 === e) {
    // UTC
  } else if ((b[k] === 0x2b || b[k] === 0x2d) && k + 6 === e && b[k + 3] === 0x3a) {
    const oh = num(b, k + 1, 2);
    const om = num(b, k + 4, 2);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (b[k] === 0x2b ? 1 : -1) * (oh * 60 + om) * 60_000;
  } else return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se, frac) - offset;
}

/** `PT[nH][nM][nS]` with at least one part, each at most 9 digits, in that order. */
export function isDuration(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 4 || b[s] !== 0x50 || b[s + 1] !== 0x54) return false;
  let k = s + 2;
  let unit = 0; // last unit seen: 1 H, 2 M, 3 S
  while (k < e) {
    const ds = k;
    while (k < e && b[k] >= 0x30 && b[k] <= 0x39) k++;
    if (k === ds || k - ds > 9 || k >= e) return false;
    const u = b[k] === 0x48 ? 1 : b[k] === 0x4d ? 2 : b[k] === 0x53 ? 3 : 0;
    if (u <= unit) return false;
    unit = u;
    k++;
  }
  return true;
}
