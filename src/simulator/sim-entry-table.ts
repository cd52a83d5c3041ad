/**
 * Compact, columnar storage of time entries (typed arrays plus interned strings), so that a
 * 1,000,000-entry dataset fits in ~60 MB and is served one materialized record at a time.
 *
 * Row n has the id `ids.idOf('time-entry', n)`; rows are never moved, deleted rows are flagged.
 * Sorted indexes (per workspace by start ascending; per workspace+user likewise) are kept up to
 * date on every insert/update/delete with binary search + splice.
 */
import type { CustomFieldValue, TimeEntry, TimeEntryType, Workspace } from './model.ts';
import type { IdMaker } from './sim-random.ts';

export const ENTRY_KIND = 'time-entry';
export const TYPES: readonly TimeEntryType[] = ['REGULAR', 'BREAK', 'HOLIDAY', 'TIME_OFF'];

/** Interns values by a string key; index -1 means "none". */
class Interner<T> {
  private readonly byKey = new Map<string, number>();
  private readonly byObject = new WeakMap<object, number>();
  readonly values: T[] = [];
  /** Interns an object value, remembering the object itself so re-interning it is O(1). */
  internObject(value: T & object, key: () => string): number {
    let i = this.byObject.get(value);
    if (i === undefined) {
      i = this.intern(key(), value);
      this.byObject.set(value, i);
    }
    return i;
  }
  intern(key: string, value: T): number {
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.byKey.set(key, i);
    }
    return i;
  }
}

/** The plain fields of an entry row (what is written): rates as bare cents, no id or lock flag. */
export type EntryRow = Omit<TimeEntry, 'id' | 'hourlyRate' | 'costRate' | 'isLocked'> & {
  hourlyRate: number | null;
  costRate: number | null;
};

/**
 * Read-only view of the table's columns for renderers that work on rows directly
 * (sim-entry-json.ts). Take a fresh view per answer: the arrays are replaced when the table grows.
 */
export interface EntryColumns {
  readonly ws: Int32Array;
  readonly user: Int32Array;
  /** String index, -1 = none (likewise task). */
  readonly project: Int32Array;
  readonly task: Int32Array;
  /** Index into `tagSets`, -1 = no tags (likewise cfv into `cfvSets`). */
  readonly tagSet: Int32Array;
  readonly desc: Int32Array;
  readonly cfv: Int32Array;
  /** Cents, -1 = none. */
  readonly hourly: Int32Array;
  readonly cost: Int32Array;
  readonly startMs: Float64Array;
  /** NaN = running. */
  readonly endMs: Float64Array;
  /** bit0 billable, bit1 deleted, bits2-3 index into TYPES. */
  readonly flags: Uint8Array;
  /** Interned values (append-only: an index always means the same value). */
  readonly strings: readonly string[];
  readonly tagSets: readonly (readonly string[])[];
  readonly cfvSets: readonly (readonly CustomFieldValue[])[];
}

export class EntryTable {
  private cap: number;
  size = 0;
  private ws: Int32Array;
  private user: Int32Array;
  private project: Int32Array;
  private task: Int32Array;
  private tagSet: Int32Array;
  private desc: Int32Array;
  private cfv: Int32Array;
  private hourly: Int32Array;
  private cost: Int32Array;
  private startMs: Float64Array;
  private endMs: Float64Array;
  private flags: Uint8Array; // bit0 billable, bit1 deleted, bits2-3 type
  private readonly strings = new Interner<string>();
  private readonly tagSets = new Interner<string[]>();
  private readonly cfvSets = new Interner<CustomFieldValue[]>();
  /** Per workspace (string index): row numbers sorted by (start, row). */
  private readonly byWs = new Map<number, number[]>();
  /** Per workspace+user key: row numbers sorted by (start, row). */
  private readonly byUser = new Map<string, number[]>();
  /** Running rows (end null), any workspace. */
  readonly running = new Set<number>();
  private live = new Map<number, number>();

  constructor(private readonly ids: IdMaker, capacity = 1024) {
    this.cap = Math.max(16, capacity);
    this.ws = new Int32Array(this.cap);
    this.user = new Int32Array(this.cap);
    this.project = new Int32Array(this.cap);
    this.task = new Int32Array(this.cap);
    this.tagSet = new Int32Array(this.cap);
    this.desc = new Int32Array(this.cap);
    this.cfv = new Int32Array(this.cap);
    this.hourly = new Int32Array(this.cap);
    this.cost = new Int32Array(this.cap);
    this.startMs = new Float64Array(this.cap);
    this.endMs = new Float64Array(this.cap);
    this.flags = new Uint8Array(this.cap);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <A extends Int32Array | Float64Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(cap);
      b.set(a);
      return b;
    };
    this.ws = g(this.ws);
    this.user = g(this.user);
    this.project = g(this.project);
    this.task = g(this.task);
    this.tagSet = g(this.tagSet);
    this.desc = g(this.desc);
    this.cfv = g(this.cfv);
    this.hourly = g(this.hourly);
    this.cost = g(this.cost);
    this.startMs = g(this.startMs);
    this.endMs = g(this.endMs);
    this.flags = g(this.flags);
    this.cap = cap;
  }

  private str(s: string): number {
    return this.strings.intern(s, s);
  }
  private ref(s: string | null): number {
    return s === null ? -1 : this.str(s);
  }

  idOf(row: number): string {
    return this.ids.idOf(ENTRY_KIND, row);
  }
  /** Row number of a live entry id, or -1. */
  rowOf(id: string): number {
    const n = this.ids.counterOf(ENTRY_KIND, id);
    return n >= 0 && n < this.size && (this.flags[n] & 2) === 0 ? n : -1;
  }

  private writeRow(n: number, r: EntryRow): void {
    this.ws[n] = this.str(r.workspaceId);
    this.user[n] = this.str(r.userId);
    this.project[n] = this.ref(r.projectId);
    this.task[n] = this.ref(r.taskId);
    this.tagSet[n] = r.tagIds.length ? this.tagSets.internObject(r.tagIds, () => r.tagIds.join(',')) : -1;
    this.desc[n] = this.str(r.description);
    const cfv = r.customFieldValues;
    this.cfv[n] = cfv.length ? this.cfvSets.internObject(cfv, () => JSON.stringify(cfv)) : -1;
    this.hourly[n] = r.hourlyRate ?? -1;
    this.cost[n] = r.costRate ?? -1;
    this.startMs[n] = r.start;
    this.endMs[n] = r.end ?? NaN;
    this.flags[n] = (r.billable ? 1 : 0) | (TYPES.indexOf(r.type) << 2);
    if (r.end === null) this.running.add(n);
    else this.running.delete(n);
  }

  /** Appends a row; `index=false` skips index maintenance (bulk load: call `rebuildIndexes` after). */
  insert(r: EntryRow, index = true): number {
    if (this.size === this.cap) this.grow();
    const n = this.size++;
    this.writeRow(n, r);
    this.live.set(this.ws[n], (this.live.get(this.ws[n]) ?? 0) + 1);
    if (index) this.indexAdd(n);
    return n;
  }

  update(n: number, r: EntryRow): void {
    this.indexRemove(n);
    this.live.set(this.ws[n], (this.live.get(this.ws[n]) ?? 0) - 1);
    this.writeRow(n, r);
    this.live.set(this.ws[n], (this.live.get(this.ws[n]) ?? 0) + 1);
    this.indexAdd(n);
  }

  remove(n: number): void {
    this.indexRemove(n);
    this.live.set(this.ws[n], (this.live.get(this.ws[n]) ?? 0) - 1);
    this.flags[n] |= 2;
    this.running.delete(n);
  }

  countIn(workspaceId: string): number {
    return this.live.get(this.str(workspaceId)) ?? 0;
  }

  workspaceOf(n: number): string {
    return this.strings.values[this.ws[n]];
  }
  userOf(n: number): string {
    return this.strings.values[this.user[n]];
  }
  startOf(n: number): number {
    return this.startMs[n];
  }

  /** The columns as they are now (do not modify). */
  columns(): EntryColumns {
    return {
      ws: this.ws, user: this.user, project: this.project, task: this.task, tagSet: this.tagSet, desc: this.desc, cfv: this.cfv,
      hourly: this.hourly, cost: this.cost, startMs: this.startMs, endMs: this.endMs, flags: this.flags,
      strings: this.strings.values, tagSets: this.tagSets.values, cfvSets: this.cfvSets.values,
    };
  }

  /** The plain row (fresh arrays, safe to modify): `entry`'s fields, with the rates as stored. */
  read(n: number): EntryRow {
    const { id: _id, hourlyRate: _hourly, costRate: _cost, isLocked: _locked, ...fields } = this.entry(n, () => undefined);
    return { ...fields, hourlyRate: this.hourly[n] < 0 ? null : this.hourly[n], costRate: this.cost[n] < 0 ? null : this.cost[n] };
  }

  /**
   * Row n as a TimeEntry in one step (fresh arrays, safe to modify); the same record as
   * `MemoryStore.materialize(n, read(n))`, key order included. `workspace` resolves the row's
   * workspace (currency of the rates, lock date).
   */
  entry(n: number, workspace: (id: string) => Workspace | undefined): TimeEntry {
    const s = this.strings.values;
    const f = this.flags[n];
    const start = this.startMs[n];
    const end = this.endMs[n];
    const workspaceId = s[this.ws[n]];
    const ws = workspace(workspaceId);
    const currency = ws?.currencyCode ?? 'USD';
    const hourly = this.hourly[n];
    const cost = this.cost[n];
    return {
      id: this.idOf(n),
      workspaceId,
      userId: s[this.user[n]],
      projectId: this.project[n] < 0 ? null : s[this.project[n]],
      taskId: this.task[n] < 0 ? null : s[this.task[n]],
      tagIds: this.tagSet[n] < 0 ? [] : this.tagSets.values[this.tagSet[n]].slice(),
      billable: (f & 1) === 1,
      description: s[this.desc[n]],
      start,
      end: Number.isNaN(end) ? null : end,
      type: TYPES[(f >> 2) & 3],
      customFieldValues: this.cfv[n] < 0 ? [] : this.cfvSets.values[this.cfv[n]].map((v) => ({ ...v })),
      hourlyRate: hourly < 0 ? null : { amount: hourly, currency },
      costRate: cost < 0 ? null : { amount: cost, currency },
      isLocked: ws?.lockDate != null && start < ws.lockDate,
    };
  }

  private cmp = (a: number, b: number): number => this.startMs[a] - this.startMs[b] || a - b;

  private lowerBound(list: number[], n: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(list[mid], n) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position in a sorted list whose start is >= t. */
  private firstAtOrAfter(list: number[], t: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.startMs[list[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private userKey(n: number): string {
    return `${this.ws[n]}:${this.user[n]}`;
  }

  private listFor<K>(map: Map<K, number[]>, key: K): number[] {
    let l = map.get(key);
    if (!l) map.set(key, (l = []));
    return l;
  }

  private indexAdd(n: number): void {
    for (const list of [this.listFor(this.byWs, this.ws[n]), this.listFor(this.byUser, this.userKey(n))]) {
      list.splice(this.lowerBound(list, n), 0, n);
    }
  }

  private indexRemove(n: number): void {
    for (const list of [this.listFor(this.byWs, this.ws[n]), this.listFor(this.byUser, this.userKey(n))]) {
      const i = this.lowerBound(list, n);
      if (list[i] === n) list.splice(i, 1);
    }
  }

  /** Rebuilds the sorted indexes from scratch (after a bulk load). */
  rebuildIndexes(): void {
    this.byWs.clear();
    this.byUser.clear();
    for (let n = 0; n < this.size; n++) {
      if (this.flags[n] & 2) continue;
      this.listFor(this.byWs, this.ws[n]).push(n);
      this.listFor(this.byUser, this.userKey(n)).push(n);
    }
    for (const l of this.byWs.values()) l.sort(this.cmp);
    for (const l of this.byUser.values()) l.sort(this.cmp);
  }

  /**
   * The live sorted row list of a workspace and the position of its first row with start >= from:
   * `rangeAsc` without the generator (walk while `startOf(list[i]) < to`, checking the length
   * at every step as the list may change between steps).
   */
  wsFrom(workspaceId: string, from = -Infinity): { list: readonly number[]; lo: number } {
    const list = this.byWs.get(this.str(workspaceId));
    return list ? { list, lo: this.firstAtOrAfter(list, from) } : { list: [], lo: 0 };
  }

  /** Rows of a workspace with start in [from, to), ascending by (start, id). */
  *rangeAsc(workspaceId: string, from = -Infinity, to = Infinity): Generator<number> {
    const list = this.byWs.get(this.str(workspaceId));
    if (!list) return;
    for (let i = this.firstAtOrAfter(list, from); i < list.length && this.startMs[list[i]] < to; i++) yield list[i];
  }

  /**
   * One page of `userRangeDesc` without walking the rows before it: the rows at positions
   * [skip, skip+limit) of that order, and whether no row follows them.
   */
  userPageDesc(workspaceId: string, userId: string, from: number, to: number, skip: number, limit: number): { rows: number[]; last: boolean } {
    const list = this.byUser.get(`${this.str(workspaceId)}:${this.str(userId)}`);
    if (!list || Number.isNaN(from)) return { rows: [], last: true };
    const hi = this.firstAtOrAfter(list, to) - 1;
    const lo = from === -Infinity ? 0 : this.firstAtOrAfter(list, from);
    const count = Math.max(0, hi - lo + 1);
    const rows: number[] = [];
    for (let i = hi - skip, end = Math.max(lo, hi - skip - limit + 1); i >= end; i--) rows.push(list[i]);
    return { rows, last: count <= skip + limit };
  }

  /** A user's rows in a workspace with start in [from, to), descending by (start, id). */
  *userRangeDesc(workspaceId: string, userId: string, from = -Infinity, to = Infinity): Generator<number> {
    const list = this.byUser.get(`${this.str(workspaceId)}:${this.str(userId)}`);
    if (!list) return;
    for (let i = this.firstAtOrAfter(list, to) - 1; i >= 0 && this.startMs[list[i]] >= from; i--) yield list[i];
  }
}

export type { TimeEntry };
