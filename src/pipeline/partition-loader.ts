import { addWriteCounts, type Destination, type FlatPages, type Scope, type StateRecord, type Transaction, type WriteCounts } from '../destinations/destination.ts';
import type { FlatPage } from '../normalize/json-flatten.ts';
import type { Row } from '../normalize/table-schema.ts';

/** What the loader must do when a partition's records are all written. */
export interface PartitionEnd {
  /** Reconcile these tables (rows in scope not written in this transaction are deleted). */
  reconcile: { table: string; scope: Scope }[];
  deletes: 'soft' | 'hard';
  state: StateRecord[];
}

export interface LoaderOptions {
  /**
   * Rows (all tables) buffered in memory before they are handed to the open transaction
   * (default 50,000); also the commit size when `commitRows` is not given.
   */
  batchRows?: number;
  /**
   * Commit once this many rows of finished partitions are in the open transaction (default
   * 450,000 when batchRows is not given either). Every commit of a DuckDB file costs a
   * checkpoint and a pass over the keys written, so a first sync commits in a few large steps;
   * a killed first sync resumes from the last commit. At 1M entries (3.4M rows), 450,000 rows
   * per commit took 2.1 s of commits against 7.7 s at 250,000: each table's share of a commit
   * then fills DuckDB row groups (122,880 rows), which are written during the merge instead of
   * through the write-ahead log and a checkpoint.
   */
  commitRows?: number;
  /**
   * For a destination with `deferredFlatPages`: rows of flat pages per commit (default twice
   * `commitRows`). They wait in files, not in memory, and a larger transaction loads them
   * faster: at 1M entries, DuckDB's direct inserts and commits took 10.5 + 0.4 s at 900,000
   * rows against 13–15 + 3.0–3.8 s at 450,000 (each table's share of a commit leaves a partial
   * row group, and each commit a checkpoint). A transaction's count mixes both kinds at their
   * own rates.
   */
  commitFlatRows?: number;
  /** Called with the CSV of flat pages the transaction has written (PageFlattener.recycle). */
  flatWritten?: (tables: readonly Uint8Array[]) => void;
}

/**
 * Bytes of flat pages (CSV) buffered before they are handed to the transaction (they wait as
 * Buffers, outside the V8 heap; DuckDB then keeps them in files until commit). 10 MB of CSV is
 * about 17 MB of the pages' JSON, some 26,000 entries. At 1M entries, when each hand-over was
 * a load of its own, 10 MB against 20 MB: peak RSS 473–486 against 477–506 MB over 4 and 8
 * runs, at the same speed.
 */
const FLAT_BATCH_BYTES = 10 * 1024 * 1024;

/**
 * Loads partitions (a stream's records for one workspace and partition) into the destination.
 * A transaction holds one or more *whole* partitions together with their state records and
 * reconciliations, so state never runs ahead of the rows it covers. Small partitions (one
 * user's entries) are grouped until `batchRows` rows are pending, so the destination merges a
 * few large batches instead of many small ones; a large partition streams into its open
 * transaction in slices of `batchRows`, so memory stays flat however large it grows.
 */
export class PartitionLoader {
  private tx: Transaction | null = null;
  private readonly buffer = new Map<string, Row[]>();
  /** Flat pages waiting (destinations with `capabilities.flatPages`), per shape and workspace in arrival order. */
  private flat: FlatPages[] = [];
  private flatBytes = 0;
  /** Rows buffered, raw pages' records and child items included. */
  private buffered = 0;
  private pending: PartitionEnd[] = [];
  /** Share of a commit written since the last one: rows / commitRows + flat rows / commitFlatRows. */
  private sinceCommit = 0;
  private readonly batchRows: number;
  private readonly commitRows: number;
  private readonly commitFlatRows: number;
  /**
   * Destination work started but not awaited (writes of the last spilled batch, or a commit):
   * the next batch is read and normalized while the destination loads this one. At most one
   * piece of work is in flight; its failure surfaces at the next call.
   */
  private inflight: Promise<void> = Promise.resolve();
  /**
   * Settles once the commit in flight has called `commit()` (or rolled back): with
   * `deferredFlatPages`, flat pages then go to the next transaction while that commit runs.
   */
  private commitCalled: Promise<void> = Promise.resolve();
  readonly totals: Record<string, WriteCounts> = {};

  constructor(private readonly destination: Destination, opts: LoaderOptions = {}) {
    this.batchRows = opts.batchRows ?? 50_000;
    this.commitRows = opts.commitRows ?? (opts.batchRows === undefined ? 450_000 : opts.batchRows);
    this.commitFlatRows = destination.capabilities?.deferredFlatPages ? (opts.commitFlatRows ?? 2 * this.commitRows) : this.commitRows;
    this.flatWritten = opts.flatWritten ?? (() => {});
  }

  private readonly flatWritten: (tables: readonly Uint8Array[]) => void;

  /** Hands a job of flat pages to the transaction; once written, its CSV buffers are released. */
  private async writeFlatJob(tx: Transaction, job: FlatPages): Promise<void> {
    if (!tx.writeFlat) throw new Error(`${this.destination.description} cannot load flat pages`);
    await tx.writeFlat(job);
    const pages = job.pages;
    job.pages = [];
    this.flatWritten(pages.flat());
  }

  async write(table: string, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const list = this.buffer.get(table);
    if (list) for (const r of rows) list.push(r);
    else this.buffer.set(table, rows.slice());
    this.buffered += rows.length;
    this.sinceCommit += rows.length / this.commitRows;
    if (this.buffered >= this.batchRows) await this.spill();
  }

  /**
   * A flat page of a stream (see Destination.capabilities.flatPages), `rows` its records and
   * child items: buffered like rows, and loaded with them.
   */
  async writeFlat(workspaceId: string, page: FlatPage, rows: number): Promise<void> {
    let last = this.flat[this.flat.length - 1];
    if (!last || last.shape !== page.shape || last.workspaceId !== workspaceId) this.flat.push((last = { shape: page.shape, workspaceId, pages: [] }));
    last.pages.push(page.tables);
    for (const t of page.tables) this.flatBytes += t.length;
    this.buffered += rows;
    this.sinceCommit += rows / this.commitFlatRows;
    if (this.flatBytes >= FLAT_BATCH_BYTES) await this.spill();
  }

  /**
   * When true, finished partitions wait for an explicit `commit()` (rows still spill into the
   * open transaction in slices): everything up to that commit becomes visible at once, or not
   * at all. Used for a full resync of a workspace that has data, so its deletions are atomic.
   */
  holdCommits = false;

  /** The current partition is complete: its end is applied at the next commit. */
  async endPartition(end: PartitionEnd): Promise<void> {
    this.pending.push(end);
    if (!this.holdCommits && this.sinceCommit >= 1) await this.startCommit();
  }

  /** Commits every finished partition (call at the end of a stream or workspace); resolves once committed. */
  async commit(): Promise<void> {
    await this.startCommit();
    await this.inflight;
  }

  /** Starts committing every finished partition (after the work in flight); does not wait for it. */
  private async startCommit(): Promise<void> {
    if (this.pending.length === 0 && this.buffered === 0 && !this.tx) {
      await this.inflight;
      return;
    }
    await this.spill();
    if (!this.tx) await this.inflight;
    const tx = this.tx ?? (await this.destination.begin());
    this.tx = null;
    const ends = this.pending;
    this.pending = [];
    this.sinceCommit = 0;
    const writes = this.inflight;
    let called = () => {};
    this.commitCalled = new Promise<void>((resolve) => (called = resolve));
    this.launch(async () => {
      try {
        await writes;
        for (const end of ends) for (const r of end.reconcile) await tx.reconcile(r.table, r.scope, end.deletes);
        tx.setState(ends.flatMap((e) => e.state));
        const committed = tx.commit();
        called();
        addWriteCounts(this.totals, await committed);
      } catch (err) {
        const rolledBack = tx.rollback().catch(() => {});
        called();
        await rolledBack;
        throw err;
      }
    });
  }

  /** Hands the buffered rows to the open transaction (opening one if needed); does not wait for the load. */
  private async spill(): Promise<void> {
    if (this.buffered === 0) return;
    const batch = [...this.buffer];
    const flat = this.flat;
    this.buffer.clear();
    this.flat = [];
    this.flatBytes = 0;
    this.buffered = 0;
    if (batch.length === 0 && this.destination.capabilities?.deferredFlatPages) {
      // Only flat pages: they go to files, without waiting for the commit in flight.
      await this.commitCalled;
      const tx = (this.tx ??= await this.destination.begin());
      for (const job of flat) await this.writeFlatJob(tx, job);
      return;
    }
    await this.inflight;
    const tx = (this.tx ??= await this.destination.begin());
    this.launch(async () => {
      for (let i = 0; i < batch.length; i++) {
        await tx.write(batch[i][0], batch[i][1]);
        batch[i][1] = []; // release the rows as soon as they are loaded
      }
      for (const job of flat) await this.writeFlatJob(tx, job);
    });
  }

  private launch(work: () => Promise<void>): void {
    const p = work();
    p.catch(() => {}); // awaited (and rethrown) by the next call; never an unhandled rejection
    this.inflight = p;
  }

  /** Rolls back whatever is open (after a failure); finished but uncommitted partitions are dropped. */
  async abort(): Promise<void> {
    await this.inflight.catch(() => {});
    this.inflight = Promise.resolve();
    const tx = this.tx;
    this.tx = null;
    this.buffer.clear();
    this.flat = [];
    this.flatBytes = 0;
    this.buffered = 0;
    this.pending = [];
    this.sinceCommit = 0;
    if (tx) await tx.rollback().catch(() => {});
  }
}
