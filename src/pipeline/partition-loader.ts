import type { Destination, Scope, StateRecord, Transaction, WriteCounts } from '../destinations/destination.ts';
import type { Row } from '../normalize/table-schema.ts';

/** What the loader must do when a partition's records are all written. */
export interface PartitionEnd {
  /** Reconcile these tables (rows in scope not written in this transaction are deleted). */
  reconcile: { table: string; scope: Scope }[];
  deletes: 'soft' | 'hard';
  state: StateRecord[];
}

/**
 * Loads partitions (a stream's records for one workspace and partition) one transaction each.
 * The rows of the partition being loaded stream straight into its open transaction; if the
 * extractor interleaves partitions, rows of the others wait in memory until it is their turn,
 * so at most one transaction is open at a time (DuckDB serializes them anyway).
 */
export class PartitionLoader {
  private current: { key: string; tx: Transaction } | null = null;
  private readonly waiting = new Map<string, { rows: [string, Row[]][]; end?: PartitionEnd }>();
  private readonly order: string[] = [];
  readonly totals: Record<string, WriteCounts> = {};

  constructor(private readonly destination: Destination) {}

  async write(key: string, table: string, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.current) this.current = { key, tx: await this.destination.begin() };
    if (this.current.key === key) return this.current.tx.write(table, rows);
    let w = this.waiting.get(key);
    if (!w) {
      w = { rows: [] };
      this.waiting.set(key, w);
      this.order.push(key);
    }
    w.rows.push([table, rows]);
  }

  /** Commits the partition `key` (now, or as soon as the partitions before it are done). */
  async end(key: string, end: PartitionEnd): Promise<void> {
    if (!this.current) this.current = { key, tx: await this.destination.begin() };
    if (this.current.key !== key) {
      let w = this.waiting.get(key);
      if (!w) {
        w = { rows: [] };
        this.waiting.set(key, w);
        this.order.push(key);
      }
      w.end = end;
      return;
    }
    await this.commitCurrent(end);
    // Drain partitions that were waiting behind this one.
    while (this.order.length > 0) {
      const next = this.order[0];
      const w = this.waiting.get(next)!;
      this.current = { key: next, tx: await this.destination.begin() };
      for (const [table, rows] of w.rows) await this.current.tx.write(table, rows);
      w.rows = [];
      if (!w.end) return; // still streaming: later rows go straight into its transaction
      this.order.shift();
      this.waiting.delete(next);
      await this.commitCurrent(w.end);
    }
  }

  private async commitCurrent(end: PartitionEnd): Promise<void> {
    const { tx } = this.current!;
    try {
      for (const r of end.reconcile) await tx.reconcile(r.table, r.scope, end.deletes);
      tx.setState(end.state);
      const counts = await tx.commit();
      for (const [table, c] of Object.entries(counts)) {
        const t = (this.totals[table] ??= { inserted: 0, updated: 0, unchanged: 0, deleted: 0 });
        t.inserted += c.inserted;
        t.updated += c.updated;
        t.unchanged += c.unchanged;
        t.deleted += c.deleted;
      }
    } catch (err) {
      await tx.rollback().catch(() => {});
      throw err;
    } finally {
      this.current = null;
    }
  }

  /** Rolls back whatever is open (after a failure). */
  async abort(): Promise<void> {
    const cur = this.current;
    this.current = null;
    this.waiting.clear();
    this.order.length = 0;
    if (cur) await cur.tx.rollback().catch(() => {});
  }
}
