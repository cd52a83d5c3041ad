/**
 * DuckDB merge shortcuts (bench/sync-full.ts): writes staged per transaction and merged once at
 * commit (the last row of a repeated key wins), the insert-only path when no staged key is
 * stored, and reconcile skipping scopes that no unwritten stored row has. Each shortcut must
 * give the same rows as the full merge, and counts that are the net effect on the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { TABLES, counts, data, item, itemId, readAll, tag } from './support/destination-fixtures.ts';

async function openMemory() {
  const dest = createDuckDBDestination(':memory:', { now: () => new Date(Date.UTC(2025, 0, 1)) });
  await dest.open();
  await dest.ensureTables(TABLES);
  return dest;
}

test('new keys, then repeated and changed keys in one transaction: the last row wins, counts are the net effect', async () => {
  const dest = await openMemory();
  try {
    const tx = await dest.begin();
    await tx.write('items', [item(1), item(2), item(3)]);
    await tx.write('items', [item(4), item(5)]);
    // keys written earlier in this transaction again (one unchanged, one changed), and a new one
    await tx.write('items', [item(1), item(2, { name: 'changed' }), item(6)]);
    await tx.write('items__tags', [tag(1, 'a'), tag(1, 'b')]);
    await tx.write('items__tags', [tag(1, 'b', 'relabelled'), tag(2, 'a')]);
    const c = await tx.commit();
    // Nothing was stored before: six rows inserted, whatever happened to them inside the transaction.
    assert.deepEqual(c.items, counts({ inserted: 6 }));
    assert.deepEqual(c.items__tags, counts({ inserted: 3 }));
    const rows = (await readAll(dest, 'items')).map(data);
    assert.deepEqual(rows.map((r) => r.id), [1, 2, 3, 4, 5, 6].map(itemId));
    assert.equal(rows[1].name, 'changed');
    const tags = (await readAll(dest, 'items__tags')).map(data);
    assert.deepEqual(tags, [
      { item_id: itemId(1), tag_id: 'a', label: 'A' },
      { item_id: itemId(1), tag_id: 'b', label: 'relabelled' },
      { item_id: itemId(2), tag_id: 'a', label: 'A' },
    ]);

    // A later transaction writes stored keys again: nothing is inserted twice.
    const tx2 = await dest.begin();
    await tx2.write('items', [item(3), item(7)]);
    const c2 = await tx2.commit();
    assert.deepEqual(c2.items, counts({ inserted: 1, unchanged: 1 }));
    assert.equal((await readAll(dest, 'items')).length, 7);
  } finally {
    await dest.close();
  }
});

test('reconcile: scopes no unwritten row has delete nothing; a scope read after more writes still finds its rows', async () => {
  const dest = await openMemory();
  try {
    const tx0 = await dest.begin();
    await tx0.write('items', [item(1), item(2), item(3), item(4)]); // w2: 1, 3; w1: 2, 4
    await tx0.write('items__tags', [tag(3, 'x')]);
    await tx0.commit();

    const tx = await dest.begin();
    await tx.write('items', [item(1)]);
    // the first reconcile reads the scope values of unwritten rows (w1 and w2)
    assert.equal(await tx.reconcile('items', { equals: { workspace_id: 'absent' } }, 'hard'), 0);
    // writing a row after that snapshot: it is written, so it is kept
    await tx.write('items', [item(2)]);
    // an item moved to a new workspace (written, so kept) does not hide the old workspace's rows
    await tx.write('items', [item(5, { workspace_id: 'w9' })]);
    assert.equal(await tx.reconcile('items', { equals: { workspace_id: 'w9' } }, 'hard'), 0);
    assert.equal(await tx.reconcile('items', { equals: { workspace_id: 'w2' } }, 'hard'), 1); // item 3 and its tag
    assert.equal(await tx.reconcile('items', { equals: { workspace_id: 'w1' } }, 'soft'), 1); // item 4
    assert.equal(await tx.reconcile('items', { equals: { workspace_id: 'w1' } }, 'soft'), 0); // already soft-deleted
    const c = await tx.commit();
    assert.deepEqual(c.items, counts({ inserted: 1, unchanged: 2, deleted: 2 }));
    assert.deepEqual(c.items__tags, counts({ deleted: 1 }));
    const rows = await readAll(dest, 'items');
    assert.deepEqual(rows.map((r) => [r.id, r._deleted_at !== null]), [
      [itemId(1), false], [itemId(2), false], [itemId(4), true], [itemId(5), false],
    ]);
    assert.deepEqual(await readAll(dest, 'items__tags'), []);

    // non-text scope columns take the full query
    const tx2 = await dest.begin();
    assert.equal(await tx2.reconcile('items', { equals: { flag: false } }, 'hard'), 4); // 1, 2, 4 (soft-deleted) and 5
    await tx2.commit();
  } finally {
    await dest.close();
  }
});

test('a key repeated far apart in one large write (several staging slices): the last row wins', async () => {
  const dest = await openMemory();
  try {
    const rows = Array.from({ length: 5000 }, (_, i) => item(i + 1));
    rows.push(item(1, { name: 'last' }), item(4999, { name: 'last too' }));
    const tx = await dest.begin();
    await tx.write('items', rows);
    const c = await tx.commit();
    assert.deepEqual(c.items, counts({ inserted: 5000 }));
    const stored = (await readAll(dest, 'items')).map(data);
    assert.equal(stored.length, 5000);
    assert.equal(stored.find((r) => r.id === itemId(1))!.name, 'last');
    assert.equal(stored.find((r) => r.id === itemId(4999))!.name, 'last too');
  } finally {
    await dest.close();
  }
});
