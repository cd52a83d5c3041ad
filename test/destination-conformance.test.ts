/**
 * One conformance suite, run against every destination registered in
 * test/support/destination-factories.ts. Each case gets a fresh temporary directory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Destination } from '../src/destinations/destination.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { destinationFactories, type DestinationFactory } from './support/destination-factories.ts';
import {
  ITEMS, ITEMS_V2, ITEM_TAGS, TABLES, counts, data, item, itemId, load, readAll, sleep, tag, tempDir,
} from './support/destination-fixtures.ts';

/** The canonical read-back form of a written item row (decimal strings come back as numbers). */
function expected(row: Row): Row {
  const out: Row = { ...row };
  if (typeof out.price === 'string') out.price = Number(out.price);
  if (typeof out.at === 'string') out.at = new Date(out.at);
  return out;
}

type Case = (dest: Destination, reopen: () => Promise<Destination>) => Promise<void>;

function runCase(f: DestinationFactory, name: string, body: Case, timeout = 60_000) {
  test(name, { timeout }, async (t) => {
    const reason = f.skipReason();
    if (reason) {
      t.skip(reason);
      return;
    }
    const { dir, cleanup } = await tempDir();
    const opened: Destination[] = [];
    const open = async () => {
      const d = f.create(dir);
      opened.push(d);
      await d.open();
      await d.ensureTables(TABLES);
      return d;
    };
    try {
      const dest = await open();
      await body(dest, async () => {
        await opened[opened.length - 1].close();
        return open();
      });
    } finally {
      for (const d of opened) await d.close().catch(() => {});
      await cleanup();
    }
  });
}

for (const f of destinationFactories) {
  describe(`destination conformance: ${f.name}`, () => {
    runCase(f, 'first load creates tables and reads rows back in canonical form', async (dest) => {
      const rows = [item(2), item(1), item(3, { at: '2024-03-04T05:06:07+02:00' })];
      const before = Date.now();
      const c = await load(dest, { items: rows });
      assert.deepEqual(c.items, counts({ inserted: 3 }));
      const back = await readAll(dest, 'items');
      assert.deepEqual(back.map(data), [item(1), item(2), item(3, { at: '2024-03-04T05:06:07+02:00' })].map(expected));
      assert.equal((back[2].at as Date).toISOString(), '2024-03-04T03:06:07.000Z');
      for (const r of back) {
        assert.ok(r._loaded_at instanceof Date, '_loaded_at is a Date');
        assert.ok((r._loaded_at as Date).getTime() >= before - 1000);
        assert.equal(r._deleted_at, null);
      }
      assert.match(dest.description, /\S/);
    });

    runCase(f, 'ensureTables reports created tables once, then nothing (also after reopening)', async () => {
      const { dir, cleanup } = await tempDir();
      try {
        const fresh = f.create(dir);
        await fresh.open();
        const changes = await fresh.ensureTables(TABLES);
        assert.deepEqual(changes.map((c) => `${c.table}:${c.kind}`).sort(), ['items:created', 'items__tags:created']);
        assert.deepEqual(await fresh.ensureTables(TABLES), []);
        await fresh.close();
        const again = f.create(dir);
        await again.open();
        assert.deepEqual(await again.ensureTables(TABLES), [], 'nothing changed for an empty table after reopening');
        await load(again, { items: [item(1)] });
        await again.close();
        const third = f.create(dir);
        await third.open();
        assert.deepEqual(await third.ensureTables(TABLES), [], 'nothing changed for a table with rows after reopening');
        assert.equal((await readAll(third, 'items')).length, 1);
        await third.close();
      } finally {
        await cleanup();
      }
    });

    runCase(f, 'append adds new rows without touching existing ones', async (dest) => {
      await load(dest, { items: [item(1), item(2)] });
      const first = await readAll(dest, 'items');
      await sleep(15);
      const c = await load(dest, { items: [item(3), item(4)] });
      assert.deepEqual(c.items, counts({ inserted: 2 }));
      const back = await readAll(dest, 'items');
      assert.deepEqual(back.map((r) => r.id), [1, 2, 3, 4].map(itemId));
      assert.deepEqual(back[0]._loaded_at, first[0]._loaded_at);
    });

    runCase(f, 'merge: unchanged rows are counted unchanged and keep _loaded_at; changed rows move', async (dest, reopen) => {
      await load(dest, { items: [item(1), item(2), item(3)] });
      const first = await readAll(dest, 'items');
      await sleep(15);
      dest = await reopen();
      const c = await load(dest, { items: [item(1), item(2, { name: 'renamed', meta: { k: 'new' } }), item(3, { at: new Date(item(3).at as Date) })] });
      assert.deepEqual(c.items, counts({ updated: 1, unchanged: 2 }));
      const back = await readAll(dest, 'items');
      assert.equal(back.length, 3);
      assert.deepEqual(back[0]._loaded_at, first[0]._loaded_at);
      assert.deepEqual(back[2]._loaded_at, first[2]._loaded_at);
      assert.ok((back[1]._loaded_at as Date).getTime() > (first[1]._loaded_at as Date).getTime());
      assert.deepEqual(data(back[1]), expected(item(2, { name: 'renamed', meta: { k: 'new' } })));
      // a repeated key inside one write: the last row wins
      const c2 = await load(dest, { items: [item(4, { name: 'a' }), item(4, { name: 'b' })] });
      assert.deepEqual(c2.items, counts({ inserted: 1 }));
      assert.equal((await readAll(dest, 'items'))[3].name, 'b');
      // a second run of the same data changes nothing
      const c3 = await load(dest, { items: [item(1), item(2, { name: 'renamed', meta: { k: 'new' } }), item(3), item(4, { name: 'b' })] });
      assert.deepEqual(c3.items, counts({ unchanged: 4 }));
    });

    runCase(f, 'schema evolution: a new column is added, old rows read null, nothing dropped', async (dest, reopen) => {
      await load(dest, { items: [item(1)] });
      dest = await reopen();
      const changes = await dest.ensureTables([ITEMS_V2, ITEM_TAGS]);
      assert.deepEqual(changes.map((c) => [c.table, c.kind, c.column]), [['items', 'column-added', 'extra']]);
      const c = await load(dest, { items: [item(2, { extra: 'x' })] });
      assert.deepEqual(c.items, counts({ inserted: 1 }));
      let back = await readAll(dest, 'items');
      assert.deepEqual(back.map((r) => r.extra), [null, 'x']);
      assert.deepEqual(data(back[0]), { ...expected(item(1)), extra: null });
      // an older catalog (without the column) neither drops it nor fails
      dest = await reopen();
      assert.deepEqual(await dest.ensureTables(TABLES), []);
      await load(dest, { items: [item(3)] });
      back = await readAll(dest, 'items');
      assert.deepEqual(back.map((r) => r.extra), [null, 'x', null]);
      // an unknown key in a row is an error, not silently dropped
      const tx = await dest.begin();
      await assert.rejects(tx.write('items', [item(5, { surprise: 1 })]), (e: any) => e.code === 'DESTINATION_UNKNOWN_COLUMN');
      await tx.rollback();
    });

    runCase(f, 'soft deletes via reconcile with equals + range scope; rows written again come back', async (dest) => {
      // items 1..8: even → w1, odd → w2; at = Jan (1 + i) 2024
      const all = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => item(i));
      await load(dest, { items: all, items__tags: [tag(2, 'a'), tag(4, 'a'), tag(4, 'b'), tag(3, 'a')] });
      const tx = await dest.begin();
      await tx.write('items', [item(2)]); // kept
      const n = await tx.reconcile('items', {
        equals: { workspace_id: 'w1' },
        range: { column: 'at', from: new Date(Date.UTC(2024, 0, 3)), to: new Date(Date.UTC(2024, 0, 8)) },
      }, 'soft');
      // w1 items with at in [Jan 3, Jan 8): 2 (written), 4, 6 → 4 and 6 deleted; 8 (Jan 9) out of range
      assert.equal(n, 2);
      const c = await tx.commit();
      assert.equal(c.items.deleted, 2);
      assert.equal(c.items.unchanged, 1);
      let back = await readAll(dest, 'items');
      assert.equal(back.length, 8);
      const deleted = back.filter((r) => r._deleted_at !== null).map((r) => r.id);
      assert.deepEqual(deleted, [itemId(4), itemId(6)]);
      assert.ok(back.find((r) => r.id === itemId(4))!._deleted_at instanceof Date);
      const tags = await readAll(dest, 'items__tags');
      assert.deepEqual(tags.filter((r) => r._deleted_at !== null).map((r) => `${r.item_id}/${r.tag_id}`), [`${itemId(4)}/a`, `${itemId(4)}/b`]);
      // reconcile again: already soft-deleted rows are not counted again
      const tx2 = await dest.begin();
      await tx2.write('items', [item(2)]);
      assert.equal(await tx2.reconcile('items', { equals: { workspace_id: 'w1' }, range: { column: 'at', from: new Date(Date.UTC(2024, 0, 3)), to: new Date(Date.UTC(2024, 0, 8)) } }, 'soft'), 0);
      await tx2.commit();
      // written again → undeleted, counted as updated
      const c3 = await load(dest, { items: [item(4)], items__tags: [tag(4, 'a')] });
      assert.deepEqual(c3.items, counts({ updated: 1 }));
      back = await readAll(dest, 'items');
      assert.equal(back.find((r) => r.id === itemId(4))!._deleted_at, null);
      const tags2 = await readAll(dest, 'items__tags');
      assert.deepEqual(tags2.filter((r) => r.item_id === itemId(4)).map((r) => [r.tag_id, r._deleted_at]), [['a', null]]);
    });

    runCase(f, 'hard deletes via reconcile remove rows and their children', async (dest, reopen) => {
      await load(dest, {
        items: [1, 2, 3, 4].map((i) => item(i)),
        items__tags: [tag(1, 'a'), tag(2, 'a'), tag(2, 'b'), tag(4, 'c')],
      });
      dest = await reopen();
      const tx = await dest.begin();
      await tx.write('items', [item(4)]);
      await tx.write('items__tags', [tag(4, 'c')]);
      const n = await tx.reconcile('items', { equals: { workspace_id: 'w1' } }, 'hard');
      assert.equal(n, 1); // item 2 (w1, not written); item 4 written
      const c = await tx.commit();
      assert.deepEqual(c.items, counts({ unchanged: 1, deleted: 1 }));
      assert.equal(c.items__tags.deleted, 2);
      assert.deepEqual((await readAll(dest, 'items')).map((r) => r.id), [1, 3, 4].map(itemId));
      assert.deepEqual((await readAll(dest, 'items__tags')).map((r) => `${r.item_id}/${r.tag_id}`), [`${itemId(1)}/a`, `${itemId(4)}/c`]);
      // scope on a workspace that has nothing deletes nothing
      const tx2 = await dest.begin();
      assert.equal(await tx2.reconcile('items', { equals: { workspace_id: 'nope' } }, 'hard'), 0);
      await tx2.commit();
      assert.equal((await readAll(dest, 'items')).length, 3);
    });

    runCase(f, 'child tables are replaced with their parent', async (dest) => {
      await load(dest, {
        items: [item(1), item(2)],
        items__tags: [tag(1, 'a'), tag(1, 'b'), tag(2, 'x')],
      });
      const before = await readAll(dest, 'items__tags');
      await sleep(15);
      // item 1's list changes to [b, c]; item 2 is written with an empty list; item 3 is new
      const c = await load(dest, {
        items: [item(1), item(2), item(3)],
        items__tags: [tag(1, 'b'), tag(1, 'c'), tag(3, 'z')],
      });
      assert.deepEqual(c.items, counts({ inserted: 1, unchanged: 2 }));
      assert.deepEqual(c.items__tags, counts({ inserted: 2, unchanged: 1, deleted: 2 }));
      const after = await readAll(dest, 'items__tags');
      assert.deepEqual(after.map((r) => `${r.item_id}/${r.tag_id}`), [`${itemId(1)}/b`, `${itemId(1)}/c`, `${itemId(3)}/z`]);
      assert.deepEqual(after[0]._loaded_at, before[1]._loaded_at, 'unchanged child keeps _loaded_at');
      // children written without their parent replace that parent's children too
      const c2 = await load(dest, { items__tags: [tag(1, 'c', 'changed')] });
      assert.deepEqual(c2.items__tags, counts({ updated: 1, deleted: 1 }));
      assert.deepEqual((await readAll(dest, 'items__tags')).map((r) => `${r.item_id}/${r.tag_id}/${r.label}`), [`${itemId(1)}/c/changed`, `${itemId(3)}/z/Z`]);
      // parents not written keep their children
      await load(dest, { items: [item(1)] });
      assert.deepEqual((await readAll(dest, 'items__tags')).map((r) => `${r.item_id}/${r.tag_id}`), [`${itemId(3)}/z`]);
    });

    runCase(f, 'Unicode, emoji and awkward characters survive exactly', async (dest, reopen) => {
      const names = [
        'Zoë Ångström — ñandú',
        '日本語のプロジェクト',
        '🎉 launch 👩‍👩‍👧‍👦 🇺🇦',
        'comma, "quotes" and \'single\'',
        'line one\nline two\r\nline three',
        'tab\there; semicolon; pipe |',
        '=SUM(A1:A2)',
        ' leading and trailing spaces ',
        '',
        'e\u0301 combining',
        '\\backslash\\ and NUL-free',
      ];
      const rows = names.map((name, i) => item(i + 1, { name, meta: { name } }));
      await load(dest, { items: rows, items__tags: [tag(1, '🏷️', 'étiquette ✓')] });
      dest = await reopen();
      const back = await readAll(dest, 'items');
      assert.deepEqual(back.map((r) => r.name), names);
      assert.deepEqual(back.map((r) => (r.meta as { name: string }).name), names);
      assert.deepEqual((await readAll(dest, 'items__tags')).map((r) => [r.tag_id, r.label]), [['🏷️', 'étiquette ✓']]);
      const c = await load(dest, { items: rows });
      assert.deepEqual(c.items, counts({ unchanged: names.length }));
    });

    runCase(f, 'nulls in every nullable column type', async (dest, reopen) => {
      const nulls = { name: null, n: null, amount: null, price: null, flag: null, at: null, day: null, meta: null };
      await load(dest, { items: [item(1, nulls), { id: itemId(2), workspace_id: 'w1' }], items__tags: [tag(1, 'a', null)] });
      dest = await reopen();
      const back = await readAll(dest, 'items');
      assert.deepEqual(back.map(data), [
        { id: itemId(1), workspace_id: 'w2', ...nulls },
        { id: itemId(2), workspace_id: 'w1', ...nulls },
      ]);
      assert.equal((await readAll(dest, 'items__tags'))[0].label, null);
      // null → value and value → null are changes; null → null is not
      const c = await load(dest, { items: [item(1, { ...nulls, flag: false }), { id: itemId(2), workspace_id: 'w1', ...nulls }] });
      assert.deepEqual(c.items, counts({ updated: 1, unchanged: 1 }));
      const c2 = await load(dest, { items: [item(1, nulls)] });
      assert.deepEqual(c2.items, counts({ updated: 1 }));
      // falsy values are not nulls
      await load(dest, { items: [item(3, { name: '', n: 0, amount: 0, price: 0, flag: false, meta: {} })] });
      const r3 = (await readAll(dest, 'items'))[2];
      assert.deepEqual([r3.name, r3.n, r3.amount, r3.price, r3.flag, r3.meta], ['', 0, 0, 0, false, {}]);
    });

    runCase(f, 'very long text (1 MB) round-trips', async (dest, reopen) => {
      const long = 'ab€😀\n'.repeat(174_763); // > 1 MiB UTF-16 units, ~2.4 MB of UTF-8
      await load(dest, { items: [item(1, { name: long, meta: { long } })] });
      dest = await reopen();
      const [r] = await readAll(dest, 'items');
      assert.equal((r.name as string).length, long.length);
      assert.ok(r.name === long, 'text identical');
      assert.ok((r.meta as { long: string }).long === long, 'json identical');
    });

    runCase(f, 'a 100,000-row batch loads, reads back and merges as unchanged', async (dest, reopen) => {
      const N = 100_000;
      const rows: Row[] = [];
      for (let i = 1; i <= N; i++) rows.push(item(i));
      const c = await load(dest, { items: rows });
      assert.deepEqual(c.items, counts({ inserted: N }));
      dest = await reopen();
      let count = 0;
      let last = '';
      for await (const r of dest.readTable('items')) {
        count++;
        assert.ok((r.id as string) > last, 'ordered by primary key');
        last = r.id as string;
        if (count === 54_321) assert.deepEqual(data(r), expected(item(54_321)));
      }
      assert.equal(count, N);
      rows[99_998] = item(99_999, { name: 'changed' });
      const c2 = await load(dest, { items: rows });
      assert.deepEqual(c2.items, counts({ updated: 1, unchanged: N - 1 }));
    }, 120_000);

    runCase(f, 'state is committed with rows, and not after rollback', async (dest, reopen) => {
      assert.deepEqual(await dest.readState(), []);
      const at = new Date('2024-05-06T07:08:09.000Z');
      const tx = await dest.begin();
      await tx.write('items', [item(1)]);
      tx.setState([
        { workspaceId: 'w1', stream: 'items', partition: '', cursor: { since: '2024-05-01T00:00:00Z', page: 3 }, updatedAt: at },
        { workspaceId: 'w1', stream: 'tags', partition: 'p1', cursor: 'abc', updatedAt: at },
      ]);
      await tx.commit();
      dest = await reopen();
      const sortState = (s: Awaited<ReturnType<Destination['readState']>>) => [...s].sort((a, b) => (a.stream + a.partition).localeCompare(b.stream + b.partition));
      assert.deepEqual(sortState(await dest.readState()), [
        { workspaceId: 'w1', stream: 'items', partition: '', cursor: { since: '2024-05-01T00:00:00Z', page: 3 }, updatedAt: at },
        { workspaceId: 'w1', stream: 'tags', partition: 'p1', cursor: 'abc', updatedAt: at },
      ]);
      // rollback: neither rows nor state
      const tx2 = await dest.begin();
      await tx2.write('items', [item(2)]);
      tx2.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: { since: 'later' }, updatedAt: new Date() }]);
      await tx2.rollback();
      assert.equal((await readAll(dest, 'items')).length, 1);
      assert.deepEqual((await dest.readState()).find((s) => s.stream === 'items')!.cursor, { since: '2024-05-01T00:00:00Z', page: 3 });
      // update in place, then reset one stream
      await load(dest, {});
      const tx3 = await dest.begin();
      tx3.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: { since: 'next' }, updatedAt: at }]);
      await tx3.commit();
      assert.equal((await dest.readState()).length, 2);
      assert.deepEqual((await dest.readState()).find((s) => s.stream === 'items')!.cursor, { since: 'next' });
      assert.equal(await dest.resetState({ stream: 'tags' }), 1);
      dest = await reopen();
      assert.deepEqual((await dest.readState()).map((s) => s.stream), ['items']);
      assert.equal(await dest.resetState(), 1);
      assert.deepEqual(await dest.readState(), []);
    });

    runCase(f, 'a load that fails half-way keeps the previous good state; a rerun completes it', async (dest, reopen) => {
      const good = [1, 2, 3].map((i) => item(i));
      const goodState = { workspaceId: 'w1', stream: 'items', partition: '', cursor: 'c1', updatedAt: new Date('2024-01-01T00:00:00Z') };
      {
        const tx = await dest.begin();
        await tx.write('items', good);
        tx.setState([goodState]);
        await tx.commit();
      }
      const next = [1, 2, 3, 4, 5, 6].map((i) => item(i, { name: `v2 ${i}` }));
      const nextState = { ...goodState, cursor: 'c2' };
      // 1. rows written, then an error before commit → rollback
      {
        const tx = await dest.begin();
        await tx.write('items', next.slice(0, 3));
        await tx.write('items__tags', [tag(1, 'a')]);
        tx.setState([nextState]);
        await tx.rollback();
      }
      assert.deepEqual((await readAll(dest, 'items')).map(data), good.map(expected));
      assert.deepEqual(await readAll(dest, 'items__tags'), []);
      // 2. a transaction abandoned without commit or rollback, then the destination reopened
      {
        const tx = await dest.begin();
        await tx.write('items', next.slice(0, 4));
        tx.setState([nextState]);
      }
      dest = await reopen();
      assert.deepEqual((await readAll(dest, 'items')).map(data), good.map(expected));
      assert.deepEqual((await dest.readState()).map((s) => s.cursor), ['c1']);
      // 3. the rerun completes without duplicates
      const tx = await dest.begin();
      await tx.write('items', next.slice(0, 3));
      await tx.write('items', next.slice(3));
      tx.setState([nextState]);
      const c = await tx.commit();
      assert.deepEqual(c.items, counts({ inserted: 3, updated: 3 }));
      dest = await reopen();
      assert.deepEqual((await readAll(dest, 'items')).map(data), next.map(expected));
      assert.deepEqual((await dest.readState()).map((s) => s.cursor), ['c2']);
    });

    runCase(f, 'runs are recorded and updated by run id', async (dest, reopen) => {
      const started = new Date('2024-06-01T10:00:00.000Z');
      await dest.recordRun({ runId: 'r1', startedAt: started, endedAt: null, status: 'running', mode: 'full', rowsPerTable: {}, requests: 0 });
      await dest.recordRun({ runId: 'r1', startedAt: started, endedAt: new Date('2024-06-01T10:01:00.000Z'), status: 'succeeded', mode: 'full', rowsPerTable: { items: 3 }, requests: 7 });
      await dest.recordRun({ runId: 'r2', startedAt: new Date('2024-06-02T10:00:00.000Z'), endedAt: null, status: 'failed', mode: 'incremental', rowsPerTable: {}, requests: 1, error: 'boom "quoted"' });
      dest = await reopen();
      if (!dest.readRuns) return;
      const runs = await dest.readRuns();
      assert.deepEqual(runs.map((r) => [r.runId, r.status, r.requests, r.rowsPerTable, r.error ?? null]), [
        ['r1', 'succeeded', 7, { items: 3 }, null],
        ['r2', 'failed', 1, {}, 'boom "quoted"'],
      ]);
      assert.deepEqual(runs[0].startedAt, started);
      assert.deepEqual(runs[0].endedAt, new Date('2024-06-01T10:01:00.000Z'));
      assert.equal(runs[1].endedAt, null);
    });
  });
}

if (destinationFactories.length === 0) {
  test('destination conformance: no destinations registered', (t) => {
    t.skip('test/support/destination-factories.ts has no entries');
  });
}
