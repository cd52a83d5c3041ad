/** `--destination` values: parsing, defaults (duckdb:./clockify.duckdb), descriptions without secrets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncError } from '../src/errors.ts';
import { createDestination, describeDestination, parseDestination, redactUrl } from '../src/destinations/index.ts';
import { TABLES, item, load, readAll, tempDir } from './support/destination-fixtures.ts';

test('parseDestination accepts every documented form', () => {
  assert.deepEqual(parseDestination(undefined), { kind: 'duckdb', path: './clockify.duckdb' });
  assert.deepEqual(parseDestination(''), { kind: 'duckdb', path: './clockify.duckdb' });
  assert.deepEqual(parseDestination('duckdb:'), { kind: 'duckdb', path: './clockify.duckdb' });
  assert.deepEqual(parseDestination('duckdb:./x.duckdb'), { kind: 'duckdb', path: './x.duckdb' });
  assert.deepEqual(parseDestination('duckdb:/abs/with:colon.db'), { kind: 'duckdb', path: '/abs/with:colon.db' });
  assert.deepEqual(parseDestination('DuckDB:a.db'), { kind: 'duckdb', path: 'a.db' });
  assert.deepEqual(parseDestination('csv:./out'), { kind: 'csv', dir: './out' });
  assert.deepEqual(parseDestination('jsonl:out'), { kind: 'jsonl', dir: 'out' });
  assert.deepEqual(parseDestination('parquet:/data/lake'), { kind: 'parquet', dir: '/data/lake' });
  assert.deepEqual(parseDestination('xlsx:./clockify.xlsx'), { kind: 'xlsx', path: './clockify.xlsx' });
  assert.deepEqual(parseDestination('postgres://u@h:5432/db'), { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  assert.deepEqual(parseDestination('postgresql://u@h/db'), { kind: 'postgres', url: 'postgresql://u@h/db' });
});

test('an unknown or incomplete destination is a config error listing the accepted forms', () => {
  for (const bad of ['mysql://u@h/db', 'sqlite:x.db', './clockify.duckdb', 'csv:', 'xlsx:', 'parquet:  ']) {
    assert.throws(() => parseDestination(bad), (e: unknown) => {
      assert.ok(e instanceof SyncError);
      assert.equal(e.code, 'DESTINATION_INVALID');
      assert.equal(e.kind, 'config');
      assert.equal(e.exitCode, 2);
      for (const form of ['duckdb:PATH', 'postgres://', 'csv:DIR', 'jsonl:DIR', 'parquet:DIR', 'xlsx:PATH']) assert.ok(e.message.includes(form), form);
      return true;
    });
  }
});

test('descriptions and errors never contain a password', () => {
  const url = 'postgres://alice:s3cr%40t@db.example:5432/warehouse?sslmode=require&password=other';
  const d = describeDestination(parseDestination(url));
  assert.ok(!d.includes('s3cr') && !d.includes('other'), d);
  assert.match(d, /alice@db\.example:5432\/warehouse\?sslmode=require/);
  assert.equal(createDestination(url).description, d);
  assert.equal(redactUrl('postgresql://bob:pw@h/db'), 'postgresql://bob@h/db');
  try {
    parseDestination('postgres://alice:hunter2@');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof SyncError);
    assert.ok(!e.message.includes('hunter2'), e.message);
  }
});

test('createDestination makes working DuckDB and file destinations', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const spec of [`duckdb:${dir}/a.duckdb`, `csv:${dir}/csv`, `jsonl:${dir}/jsonl`, `parquet:${dir}/pq`]) {
      const dest = createDestination(spec, { now: () => new Date('2024-01-01T00:00:00Z') });
      assert.ok(dest.description.startsWith(spec.split(':')[0] + ':'), dest.description);
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1)] });
      const [row] = await readAll(dest, 'items');
      assert.equal(row.id, 'i000001', spec);
      assert.deepEqual(row._loaded_at, new Date('2024-01-01T00:00:00Z'), spec);
      await dest.close();
    }
  } finally {
    await cleanup();
  }
});

test('PostgreSQL and Excel destinations are loaded lazily and refuse use before open', async () => {
  const pg = createDestination('postgres://u@127.0.0.1:1/db');
  assert.equal(pg.description, 'postgres://u@127.0.0.1:1/db');
  await assert.rejects(pg.readState(), { code: 'DESTINATION_NOT_OPEN' });
  const x = createDestination('xlsx:./out.xlsx');
  assert.equal(x.description, 'xlsx:./out.xlsx');
  await assert.rejects(x.begin(), { code: 'DESTINATION_NOT_OPEN' });
});
