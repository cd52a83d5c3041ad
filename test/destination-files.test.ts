/** The file destinations' on-disk formats and their atomic replacement. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { createFileDestination } from '../src/destinations/files.ts';
import { TABLES, counts, item, load, readAll, tag, tempDir } from './support/destination-fixtures.ts';

const T0 = new Date('2024-05-01T12:00:00.000Z');

test('CSV: RFC 4180, UTF-8 with optional BOM, ISO timestamps, true/false, empty nulls', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const bom of [false, true]) {
      const out = `${dir}/${bom ? 'bom' : 'plain'}`;
      const dest = createFileDestination('csv', out, { csvBom: bom, now: () => T0 });
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, {
        items: [
          item(1, { name: 'say "hi", then\nleave', flag: true, at: '2024-03-04T05:06:07+02:00' }),
          item(2, { name: '', n: null, amount: null, price: null, flag: false, at: null, day: null, meta: null }),
        ],
      });
      await dest.close();
      const bytes = await readFile(`${out}/items.csv`);
      assert.equal(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, bom, 'BOM only when asked');
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      const lines = text.split('\r\n');
      assert.equal(lines[0], 'id,workspace_id,name,n,amount,price,flag,at,day,meta,_loaded_at,_deleted_at');
      assert.equal(
        text.split('\r\n').slice(1).join('\r\n'),
        'i000001,w2,"say ""hi"", then\nleave",10,1.25,1234.500000000,true,2024-03-04T03:06:07.000Z,2024-02-02,' +
          '"{""k"":1,""list"":[1,""two"",null],""nested"":{""ok"":true}}",2024-05-01T12:00:00.000Z,\r\n' +
          'i000002,w1,"",,,,false,,,,2024-05-01T12:00:00.000Z,\r\n',
      );
    }
  } finally {
    await cleanup();
  }
});

test('JSONL: one object per line, ISO timestamps, nested JSON kept as JSON', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createFileDestination('jsonl', dir, { now: () => T0 });
    await dest.open();
    await dest.ensureTables(TABLES);
    await load(dest, { items: [item(1), item(2, { name: null, meta: 'plain string' })], items__tags: [tag(1, 'a')] });
    await dest.close();
    const lines = (await readFile(`${dir}/items.jsonl`, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]);
    assert.deepEqual(first, {
      id: 'i000001', workspace_id: 'w2', name: 'item 1', n: 10, amount: 1.25, price: 1234.5, flag: false,
      at: '2024-01-02T09:30:15.000Z', day: '2024-02-02', meta: { k: 1, list: [1, 'two', null], nested: { ok: true } },
      _loaded_at: '2024-05-01T12:00:00.000Z', _deleted_at: null,
    });
    assert.equal(JSON.parse(lines[1]).meta, 'plain string');
    assert.equal(JSON.parse(lines[1]).name, null);
    assert.deepEqual(JSON.parse((await readFile(`${dir}/items__tags.jsonl`, 'utf8')).trim()).tag_id, 'a');
    // a reopened destination reads the JSON string back as a JSON string, unchanged
    const again = createFileDestination('jsonl', dir);
    await again.open();
    await again.ensureTables(TABLES);
    assert.equal((await readAll(again, 'items'))[1].meta, 'plain string');
    assert.deepEqual((await load(again, { items: [item(1), item(2, { name: null, meta: 'plain string' })] })).items, counts({ unchanged: 2 }));
    await again.close();
  } finally {
    await cleanup();
  }
});

test('Parquet: typed columns any Parquet reader sees', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createFileDestination('parquet', dir);
    await dest.open();
    await dest.ensureTables(TABLES);
    await load(dest, { items: [item(1), item(2)] });
    await dest.close();
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${dir}/items.parquet')`)).getRowObjectsJS();
    assert.deepEqual(cols.map((c) => `${c.column_name} ${c.column_type}`), [
      'id VARCHAR', 'workspace_id VARCHAR', 'name VARCHAR', 'n BIGINT', 'amount DOUBLE', 'price DECIMAL(38,9)',
      'flag BOOLEAN', 'at TIMESTAMP WITH TIME ZONE', 'day DATE', 'meta JSON',
      '_loaded_at TIMESTAMP WITH TIME ZONE', '_deleted_at TIMESTAMP WITH TIME ZONE',
    ]);
    const n = (await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${dir}/items.parquet')`)).getRowObjectsJS();
    assert.equal(n[0].n, 2n);
    con.closeSync();
    inst.closeSync();
  } finally {
    await cleanup();
  }
});

test('files are replaced by rename only at commit (no temp files left); state is written; unchanged tables are not rewritten', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createFileDestination('csv', dir);
    assert.equal(dest.capabilities?.rewritesOnCommit, true, 'the loader is told commits rewrite files');
    await dest.open();
    await dest.ensureTables(TABLES);
    await load(dest, { items: [item(1)] });
    const before = await stat(`${dir}/items.csv`);
    const oldText = await readFile(`${dir}/items.csv`, 'utf8');
    const tx = await dest.begin();
    await tx.write('items', [item(2), item(3)]);
    tx.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: { n: 1 }, updatedAt: T0 }]);
    // before commit nothing on disk has changed
    assert.equal(await readFile(`${dir}/items.csv`, 'utf8'), oldText);
    await tx.commit();
    const after = await stat(`${dir}/items.csv`);
    assert.notEqual(after.ino, before.ino, 'a new file was renamed into place');
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['_clockify_sync_state.json', 'items.csv', 'items__tags.csv']);
    const state = JSON.parse(await readFile(`${dir}/_clockify_sync_state.json`, 'utf8'));
    assert.deepEqual(state, [{ workspaceId: 'w1', stream: 'items', partition: '', cursor: { n: 1 }, updatedAt: '2024-05-01T12:00:00.000Z' }]);
    // a table that did not change is not rewritten
    const tagsBefore = await stat(`${dir}/items__tags.csv`);
    await load(dest, { items: [item(4)] });
    assert.equal((await stat(`${dir}/items__tags.csv`)).ino, tagsBefore.ino);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('temp files left by a crashed run are removed at open and never read', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createFileDestination('jsonl', dir);
    await dest.open();
    await dest.ensureTables(TABLES);
    await load(dest, { items: [item(1)] });
    await dest.close();
    await writeFile(`${dir}/items.jsonl.tmp-999-deadbeef`, '{"id":"half');
    const again = createFileDestination('jsonl', dir);
    await again.open();
    await again.ensureTables(TABLES);
    assert.deepEqual((await readAll(again, 'items')).map((r) => r.id), ['i000001']);
    assert.ok(!(await readdir(dir)).some((f) => f.includes('.tmp-')));
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a commit whose file cannot be replaced fails; the previous files and state remain; a rerun completes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createFileDestination('csv', dir);
    await dest.open();
    await dest.ensureTables(TABLES);
    const st = (cursor: string) => [{ workspaceId: 'w1', stream: 'items', partition: '', cursor, updatedAt: T0 }];
    {
      const tx = await dest.begin();
      await tx.write('items', [item(1)]);
      await tx.write('items__tags', [tag(1, 'a')]);
      tx.setState(st('good'));
      await tx.commit();
    }
    // the tags file is blocked by a directory of the same name: its rename fails
    await rm(`${dir}/items__tags.csv`);
    await mkdir(`${dir}/items__tags.csv`);
    await writeFile(`${dir}/items__tags.csv/keep`, 'x');
    {
      const tx = await dest.begin();
      await tx.write('items', [item(1, { name: 'v2' }), item(2)]);
      await tx.write('items__tags', [tag(1, 'b')]);
      tx.setState(st('next'));
      await assert.rejects(tx.commit());
    }
    await dest.close();
    const state = JSON.parse(await readFile(`${dir}/_clockify_sync_state.json`, 'utf8'));
    assert.equal(state[0].cursor, 'good', 'state not advanced');
    assert.ok(!(await readdir(dir)).some((f) => f.includes('.tmp-')), 'temp files cleaned up');
    await rm(`${dir}/items__tags.csv`, { recursive: true });
    // rerun
    const again = createFileDestination('csv', dir);
    await again.open();
    await again.ensureTables(TABLES);
    const tx = await again.begin();
    await tx.write('items', [item(1, { name: 'v2' }), item(2)]);
    await tx.write('items__tags', [tag(1, 'b')]);
    tx.setState(st('next'));
    await tx.commit();
    assert.deepEqual((await readAll(again, 'items')).map((r) => r.name), ['v2', 'item 2']);
    assert.deepEqual((await readAll(again, 'items__tags')).map((r) => r.tag_id), ['b']);
    assert.deepEqual((await again.readState()).map((s) => s.cursor), ['next']);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a file edited by hand with an extra column keeps that column; a table never ensured can still be read', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(`${dir}/items__tags.csv`, '\uFEFFitem_id,tag_id,label,note,_loaded_at,_deleted_at\r\ni000001,a,A,"hand, written",2024-01-01T00:00:00.000Z,\r\n');
    const dest = createFileDestination('csv', dir);
    await dest.open();
    assert.deepEqual((await readAll(dest, 'items__tags')).map((r) => r.note), ['hand, written']);
    const changes = await dest.ensureTables(TABLES);
    assert.deepEqual(changes.map((c) => `${c.table}:${c.kind}`), ['items:created']);
    await load(dest, { items__tags: [tag(1, 'a', 'A'), tag(1, 'b')] });
    const rows = await readAll(dest, 'items__tags');
    assert.deepEqual(rows.map((r) => [r.tag_id, r.note]), [['a', 'hand, written'], ['b', null]]);
    await dest.close();
    const text = await readFile(`${dir}/items__tags.csv`, 'utf8');
    assert.match(text.split('\r\n')[0], /^item_id,tag_id,label,_loaded_at,_deleted_at,note$|^item_id,tag_id,label,note,_loaded_at,_deleted_at$/);
  } finally {
    await cleanup();
  }
});
