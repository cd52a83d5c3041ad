/** PartitionLoader: batches, commit sizes, one load in flight, failures surfacing and rolling back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Destination, FlatPages, StateRecord, Transaction, WriteCounts } from '../src/destinations/destination.ts';
import type { FlatShape } from '../src/normalize/json-flatten.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { PartitionLoader } from '../src/pipeline/partition-loader.ts';

/** A destination that logs every call; `failWrite` makes the n-th write (1-based) reject. */
function fakeDestination(opts: { failWrite?: number } = {}) {
  const log: string[] = [];
  const committed: { rows: number; state: string[] }[] = [];
  let writes = 0;
  let open = 0;
  let maxOpen = 0;
  let inWrite = false;
  let overlapped = false;
  const dest = {
    description: 'fake',
    async begin(): Promise<Transaction> {
      open++;
      maxOpen = Math.max(maxOpen, open);
      let rows = 0;
      let state: StateRecord[] = [];
      const tx: Transaction = {
        async write(table: string, r: Row[]) {
          assert.equal(inWrite, false, 'one write at a time');
          inWrite = true;
          writes++;
          log.push(`write ${table} ${r.length}`);
          await new Promise((res) => setTimeout(res, 2));
          inWrite = false;
          if (writes === opts.failWrite) throw new Error('disk full');
          rows += r.length;
        },
        async reconcile(table: string) {
          log.push(`reconcile ${table}`);
          return 0;
        },
        setState(s: StateRecord[]) {
          state = s;
        },
        async commit(): Promise<Record<string, WriteCounts>> {
          log.push('commit');
          open--;
          committed.push({ rows, state: state.map((s) => s.partition) });
          return { t: { inserted: rows, updated: 0, unchanged: 0, deleted: 0 } };
        },
        async rollback() {
          log.push('rollback');
          open--;
        },
      };
      return tx;
    },
  } as unknown as Destination;
  return {
    dest, log, committed,
    get maxOpen() { return maxOpen; },
    markRead() { if (inWrite) overlapped = true; },
    get overlapped() { return overlapped; },
  };
}

const rows = (n: number, p: string): Row[] => Array.from({ length: n }, (_, i) => ({ id: `${p}-${i}` }));
const end = (partition: string) => ({
  reconcile: [{ table: 't', scope: { equals: { user_id: partition } } }],
  deletes: 'soft' as const,
  state: [{ workspaceId: 'w', stream: 's', partition, cursor: null, updatedAt: new Date(0) }],
});

test('partitions are grouped into commits of commitRows, written in batches of batchRows, state with its rows', async () => {
  const f = fakeDestination();
  const loader = new PartitionLoader(f.dest, { batchRows: 10, commitRows: 30 });
  for (let p = 0; p < 7; p++) {
    for (let k = 0; k < 2; k++) {
      await loader.write('t', rows(6, `p${p}k${k}`));
      f.markRead();
    }
    await loader.endPartition(end(`p${p}`));
  }
  await loader.commit();
  assert.equal(f.maxOpen, 1, 'one transaction at a time');
  // 12 rows a partition: a commit after the partition that reaches 30 rows (p2, p5), then the rest
  assert.deepEqual(f.committed.map((c) => c.state), [['p0', 'p1', 'p2'], ['p3', 'p4', 'p5'], ['p6']]);
  assert.deepEqual(f.committed.map((c) => c.rows), [36, 36, 12]);
  assert.ok(f.log.filter((l) => l.startsWith('write')).every((l) => Number(l.split(' ')[2]) <= 12), 'batches stay small');
  assert.equal(loader.totals.t.inserted, 84);
  assert.ok(f.overlapped, 'rows were read while a batch was being written');
  // reconciliations of a commit's partitions run before that commit
  const firstCommit = f.log.indexOf('commit');
  assert.equal(f.log.slice(0, firstCommit).filter((l) => l.startsWith('reconcile')).length, 3);
});

test('a write that fails in flight surfaces at a later call; its transaction is rolled back and nothing of it commits', async () => {
  const f = fakeDestination({ failWrite: 4 });
  const loader = new PartitionLoader(f.dest, { batchRows: 10, commitRows: 20 });
  await assert.rejects(async () => {
    for (let p = 0; p < 10; p++) {
      await loader.write('t', rows(12, `p${p}`));
      await loader.endPartition(end(`p${p}`));
    }
    await loader.commit();
  }, /disk full/);
  await loader.abort();
  assert.equal(f.maxOpen, 1);
  // p0+p1 committed (24 rows); the fourth write (p3) fails: its transaction (p2, p3) never commits
  assert.deepEqual(f.committed.map((c) => c.state), [['p0', 'p1']]);
  assert.ok(f.log.includes('rollback'));
  assert.equal(f.log.filter((l) => l === 'commit').length, 1);
});

test('batchRows alone is also the commit size (callers that set it keep their commit granularity)', async () => {
  const f = fakeDestination();
  const loader = new PartitionLoader(f.dest, { batchRows: 10 });
  for (let p = 0; p < 3; p++) {
    await loader.write('t', rows(10, `p${p}`));
    await loader.endPartition(end(`p${p}`));
  }
  await loader.commit();
  assert.deepEqual(f.committed.map((c) => c.state), [['p0'], ['p1'], ['p2']]);
});

test('with deferredFlatPages, flat pages go to the next transaction while a commit runs (and nothing else does)', { timeout: 10_000 }, async () => {
  const log: string[] = [];
  let open = 0;
  let gate = () => {};
  const gateOpen = new Promise<void>((r) => (gate = r));
  let txs = 0;
  const dest = {
    description: 'fake',
    capabilities: { flatPages: true, deferredFlatPages: true },
    async begin(): Promise<Transaction> {
      assert.equal(open, 0, 'begun only once the previous commit is called');
      open++;
      const n = ++txs;
      return {
        async write(table: string) { log.push(`tx${n} write ${table}`); },
        async writeFlat(job: FlatPages) { log.push(`tx${n} flat ${job.pages.length}`); },
        async reconcile() { return 0; },
        setState() {},
        async commit() {
          open--;
          log.push(`tx${n} commit called`);
          if (n === 1) await gateOpen;
          log.push(`tx${n} committed`);
          return {};
        },
        async rollback() { open--; },
      } as Transaction;
    },
  } as unknown as Destination;
  const shape = {} as FlatShape;
  const loader = new PartitionLoader(dest, { commitRows: 1, commitFlatRows: 1 });
  await loader.writeFlat('w', { shape, tables: [new Uint8Array(10)] }, 1);
  await loader.endPartition(end('p0'));
  // 10 MB of CSV: a spill, which must not wait for tx1's commit.
  await loader.writeFlat('w', { shape, tables: [new Uint8Array(10 * 1024 * 1024)] }, 1);
  assert.deepEqual(log, ['tx1 flat 1', 'tx1 commit called', 'tx2 flat 1']);
  // Rows do wait: they are written once the commit in flight is done.
  await loader.write('t', rows(1, 'p1'));
  const wrote = loader.commit();
  gate();
  await wrote;
  assert.deepEqual(log, ['tx1 flat 1', 'tx1 commit called', 'tx2 flat 1', 'tx1 committed', 'tx2 write t', 'tx2 commit called', 'tx2 committed']);
});

test('the CSV of flat pages is released (flatWritten) only once the transaction has written it', async () => {
  const log: string[] = [];
  let release = () => {};
  const written = new Promise<void>((r) => (release = r));
  const dest = {
    description: 'fake',
    capabilities: { flatPages: true, deferredFlatPages: true },
    async begin(): Promise<Transaction> {
      return {
        async write() {},
        async writeFlat(job: FlatPages) {
          log.push(`writeFlat ${job.pages.length}`);
          await written;
          log.push('written');
        },
        async reconcile() { return 0; },
        setState() {},
        async commit() { return {}; },
        async rollback() {},
      } as Transaction;
    },
  } as unknown as Destination;
  const shape = {} as FlatShape;
  const a = new Uint8Array(6 * 1024 * 1024);
  const b = new Uint8Array(6 * 1024 * 1024);
  const loader = new PartitionLoader(dest, { flatWritten: (tables) => log.push(`released ${tables.length}${tables[0] === a && tables[1] === b ? ' a b' : ''}`) });
  await loader.writeFlat('w', { shape, tables: [a] }, 1);
  const spilled = loader.writeFlat('w', { shape, tables: [b] }, 1); // 12 MB: handed over
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(log, ['writeFlat 2']);
  release();
  await spilled;
  assert.deepEqual(log, ['writeFlat 2', 'written', 'released 2 a b']);
  await loader.commit();
});
