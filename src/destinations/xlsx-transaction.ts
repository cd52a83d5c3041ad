/**
 * One transaction of the Excel destination: copy-on-write maps of the touched tables, merged
 * by primary key in memory; commit hands them to the destination, which saves the store and
 * the workbook atomically. Nothing is visible (or saved) before commit.
 */
import { SyncError } from '../errors.ts';
import type { Row } from '../normalize/table-schema.ts';
import type { Scope, StateRecord, Transaction, WriteCounts } from './destination.ts';
import { columnIndex, keyOf, type StoreData, type StoredRow, type StoredTable } from './xlsx-store.ts';
import { keyPart, sameStored, toStored, type Stored } from './xlsx-values.ts';

export interface XlsxHost {
  data(): StoreData;
  /** Columns a row may carry, per table (the catalog of the last ensureTables). */
  allowed(table: string): Set<string>;
  /** `changed`: whether any row was inserted, updated or deleted. */
  commitTx(tables: Map<string, Map<string, StoredRow>>, state: StateRecord[], changed: boolean): Promise<void>;
  txEnded(tx: XlsxTransaction): void;
}

const ZERO = (): WriteCounts => ({ inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

export class XlsxTransaction implements Transaction {
  private readonly working = new Map<string, Map<string, StoredRow>>();
  private readonly written = new Map<string, Set<string>>();
  private readonly childParents = new Map<string, Set<string>>();
  private readonly counts: Record<string, WriteCounts> = {};
  private readonly state: StateRecord[] = [];
  private done = false;

  constructor(private readonly host: XlsxHost, private readonly txTime: number) {}

  get finished(): boolean {
    return this.done;
  }

  private table(name: string): StoredTable {
    const t = this.host.data().tables.get(name);
    if (!t) throw new SyncError('DESTINATION_UNKNOWN_TABLE', `Table "${name}" was not passed to ensureTables before writing.`, { kind: 'destination' });
    return t;
  }

  private rows(name: string): Map<string, StoredRow> {
    let w = this.working.get(name);
    if (!w) this.working.set(name, (w = new Map(this.table(name).rows)));
    return w;
  }

  private count(name: string): WriteCounts {
    return (this.counts[name] ??= ZERO());
  }

  private set(map: Map<string, Set<string>>, name: string): Set<string> {
    let s = map.get(name);
    if (!s) map.set(name, (s = new Set()));
    return s;
  }

  private live(): void {
    if (this.done) throw new SyncError('DESTINATION_TX_CLOSED', 'This transaction was already committed or rolled back.', { kind: 'destination' });
  }

  private parentKey(t: StoredTable, v: Stored[], index: Map<string, number>): string {
    let key = '';
    for (const c of t.parent!.columns) key += keyPart(v[index.get(c)!] ?? null) + '\u0001';
    return key;
  }

  async write(name: string, rows: Row[]): Promise<void> {
    this.live();
    const t = this.table(name);
    const allowed = this.host.allowed(name);
    const index = columnIndex(t);
    const pkIndex = t.primaryKey.map((c) => index.get(c)!);
    const byKey = new Map<string, Stored[]>();
    for (const row of rows) {
      for (const k in row) {
        if (!allowed.has(k)) {
          throw new SyncError('DESTINATION_UNKNOWN_COLUMN', `Row for table "${name}" has "${k}", which is not a column of the table.`, { kind: 'destination' });
        }
      }
      const v: Stored[] = new Array(t.columns.length);
      for (let i = 0; i < t.columns.length; i++) v[i] = toStored(t.columns[i].name, t.columns[i].type, row[t.columns[i].name]);
      for (const i of pkIndex) {
        if (v[i] === null) {
          throw new SyncError('DESTINATION_NULL_KEY', `Row for table "${name}" has no value for primary-key column "${t.columns[i].name}".`, { kind: 'destination' });
        }
      }
      byKey.set(keyOf(t, v, index), v);
    }
    const work = this.rows(name);
    const c = this.count(name);
    const written = this.set(this.written, name);
    const parents = t.parent ? this.set(this.childParents, name) : null;
    const kept = t.columns.map((col, i) => (allowed.has(col.name) ? -1 : i)).filter((i) => i >= 0);
    for (const [key, v] of byKey) {
      const old = work.get(key);
      if (old) for (const i of kept) v[i] = old.v[i] ?? null; // columns outside the current catalog keep their values
      if (!old) {
        work.set(key, { v, loadedAt: this.txTime, deletedAt: null });
        c.inserted++;
      } else if (old.deletedAt === null && sameRow(old.v, v)) {
        c.unchanged++;
      } else {
        work.set(key, { v, loadedAt: this.txTime, deletedAt: null });
        c.updated++;
      }
      written.add(key);
      if (parents) parents.add(this.parentKey(t, v, index));
    }
  }

  async reconcile(name: string, scope: Scope, deletes: 'soft' | 'hard'): Promise<number> {
    this.live();
    const t = this.table(name);
    const index = columnIndex(t);
    const col = (c: string) => {
      const i = index.get(c);
      if (i === undefined) throw new SyncError('DESTINATION_UNKNOWN_COLUMN', `Reconcile scope uses "${c}", which is not a column of table "${name}".`, { kind: 'destination' });
      return i;
    };
    const equals = Object.entries(scope.equals).map(([c, value]) => {
      const i = col(c);
      return { i, s: toStored(c, t.columns[i].type, value) };
    });
    const range = scope.range ? { i: col(scope.range.column), from: scope.range.from?.getTime(), to: scope.range.to?.getTime() } : null;
    const written = this.written.get(name);
    const gone: string[] = [];
    for (const [key, r] of this.rows(name)) {
      if (written?.has(key)) continue;
      if (!equals.every((e) => sameStored(r.v[e.i], e.s))) continue;
      if (range) {
        const at = r.v[range.i];
        const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : NaN;
        if (Number.isNaN(ms)) continue;
        if (range.from !== undefined && ms < range.from) continue;
        if (range.to !== undefined && ms >= range.to) continue;
      }
      if (deletes === 'soft' && r.deletedAt !== null) continue;
      gone.push(key);
    }
    return this.remove(name, gone, deletes);
  }

  /** Delete or soft-delete rows by key; their children follow. */
  private remove(name: string, keys: string[], deletes: 'soft' | 'hard'): number {
    if (keys.length === 0) return 0;
    const work = this.rows(name);
    for (const k of keys) {
      if (deletes === 'hard') work.delete(k);
      else work.set(k, { ...work.get(k)!, deletedAt: this.txTime });
    }
    this.count(name).deleted += keys.length;
    const goneSet = new Set(keys);
    for (const child of this.host.data().tables.values()) {
      if (child.parent?.table !== name) continue;
      const index = columnIndex(child);
      const doomed: string[] = [];
      for (const [k, r] of this.rows(child.name)) {
        if (deletes === 'soft' && r.deletedAt !== null) continue;
        if (goneSet.has(this.parentKey(child, r.v, index))) doomed.push(k);
      }
      this.remove(child.name, doomed, deletes);
    }
    return keys.length;
  }

  /** At commit: stored children of parents written in this transaction that were not written go. */
  private replaceChildren(): void {
    const tables = this.host.data().tables;
    const depth = (t: StoredTable): number => (t.parent && tables.has(t.parent.table) ? 1 + depth(tables.get(t.parent.table)!) : 0);
    const children = [...tables.values()].filter((t) => t.parent).sort((a, b) => depth(a) - depth(b));
    for (const child of children) {
      const parentKeys = new Set([...(this.written.get(child.parent!.table) ?? []), ...(this.childParents.get(child.name) ?? [])]);
      if (parentKeys.size === 0) continue;
      const written = this.written.get(child.name);
      const index = columnIndex(child);
      const doomed: string[] = [];
      for (const [k, r] of this.rows(child.name)) {
        if (written?.has(k)) continue;
        if (parentKeys.has(this.parentKey(child, r.v, index))) doomed.push(k);
      }
      this.remove(child.name, doomed, 'hard');
    }
  }

  setState(records: StateRecord[]): void {
    this.live();
    this.state.push(...records);
  }

  async commit(): Promise<Record<string, WriteCounts>> {
    this.live();
    try {
      this.replaceChildren();
      const changed = Object.values(this.counts).some((c) => c.inserted + c.updated + c.deleted > 0);
      await this.host.commitTx(this.working, this.state, changed);
    } finally {
      this.end();
    }
    return this.counts;
  }

  async rollback(): Promise<void> {
    if (!this.done) this.end();
  }

  private end(): void {
    this.done = true;
    this.working.clear();
    this.host.txEnded(this);
  }
}

function sameRow(a: Stored[], b: Stored[]): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!sameStored(a[i], b[i])) return false;
  return true;
}
