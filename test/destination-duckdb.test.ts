/** DuckDB-specific behaviour beyond the shared conformance suite. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { destinationForJob } from '../src/cli/job.ts';
import { DuckDBCore } from '../src/destinations/duckdb-core.ts';
import { SyncError } from '../src/errors.ts';
import { DuckDBTransaction } from '../src/destinations/duckdb-tx.ts';
import { createDuckDBDestination, type DuckDBDestination, type DuckDBDestinationOptions } from '../src/destinations/duckdb.ts';
import type { TableSchema } from '../src/normalize/table-schema.ts';
import { ITEMS, TABLES, counts, item, load, readAll, tempDir } from './support/destination-fixtures.ts';

/** A DuckDB destination on `path`, open, with the fixture tables ensured. */
async function openDb(path: string, options?: DuckDBDestinationOptions): Promise<DuckDBDestination> {
  const dest = createDuckDBDestination(path, options);
  await dest.open();
  await dest.ensureTables(TABLES);
  return dest;
}

async function query(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(path);
  try {
    const con = await inst.connect();
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    con.closeSync();
    return rows;
  } finally {
    inst.closeSync();
  }
}

test('tables get the documented SQL types, their key in a comment (a declared one on request) and the metadata columns', async () => {
  const { dir, cleanup } = await tempDir();
  const path = `${dir}/db.duckdb`;
  try {
    const dest = await openDb(path);
    await load(dest, { items: [item(1)] });
    await dest.close();
    const cols = await query(path, `SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE table_name = 'items' ORDER BY column_index`);
    assert.deepEqual(cols.map((r) => `${r.c} ${r.t}`), [
      'id VARCHAR', 'workspace_id VARCHAR', 'name VARCHAR', 'n BIGINT', 'amount DOUBLE', 'price DECIMAL(38,9)',
      'flag BOOLEAN', 'at TIMESTAMP WITH TIME ZONE', 'day DATE', 'meta JSON',
      '_loaded_at TIMESTAMP WITH TIME ZONE', '_deleted_at TIMESTAMP WITH TIME ZONE',
    ]);
    // No declared PRIMARY KEY by default (its index would hold every key in memory); the key is
    // kept unique by the merge and named in the table's comment.
    const pkSql = `SELECT constraint_column_names AS k FROM duckdb_constraints() WHERE table_name = 'items__tags' AND constraint_type = 'PRIMARY KEY'`;
    assert.deepEqual(await query(path, pkSql), []);
    const [{ comment }] = await query(path, `SELECT comment FROM duckdb_tables() WHERE table_name = 'items__tags'`);
    assert.match(String(comment), /primary key \(item_id, tag_id\)/);
    const declared = `${dir}/declared.duckdb`;
    const withPk = await openDb(declared, { primaryKeys: true });
    await withPk.close();
    assert.deepEqual((await query(declared, pkSql))[0].k, ['item_id', 'tag_id']);
    // values are stored typed, queryable with plain SQL
    const [row] = await query(path, `SELECT price::VARCHAR AS p, meta->>'$.nested.ok' AS ok, day::VARCHAR AS d, n + 1 AS n1 FROM items`);
    assert.deepEqual(row, { p: '1234.500000000', ok: 'true', d: '2024-02-02', n1: 11n });
    const meta = await query(path, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_clockify%' ORDER BY 1`);
    assert.deepEqual(meta.map((r) => r.table_name), ['_clockify_sync_runs', '_clockify_sync_state']);
  } finally {
    await cleanup();
  }
});

test('a type difference is reported as type-mismatch, not forced; data is kept', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    await load(dest, { items: [item(1)] });
    const changed: TableSchema = { ...ITEMS, columns: ITEMS.columns.map((c) => (c.name === 'n' ? { ...c, type: 'text' } : c)) };
    const changes = await dest.ensureTables([changed]);
    assert.equal(changes.length, 1);
    assert.equal(changes[0].kind, 'type-mismatch');
    assert.equal(changes[0].column, 'n');
    assert.match(changes[0].detail ?? '', /BIGINT/);
    assert.equal((await readAll(dest, 'items'))[0].n, 10);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('awkward table and column names are quoted safely', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = createDuckDBDestination(`${dir}/db.duckdb`);
    await dest.open();
    const odd: TableSchema = {
      name: 'select "weird" table',
      primaryKey: ['from'],
      columns: [
        { name: 'from', type: 'text' },
        { name: 'col; DROP TABLE x; --', type: 'bigint' },
        { name: "it's", type: 'boolean' },
        { name: 'Mixed Case', type: 'text' },
      ],
    };
    await dest.ensureTables([odd]);
    const c = await load(dest, { [odd.name]: [{ from: 'a', 'col; DROP TABLE x; --': 1, "it's": true, 'Mixed Case': 'ok' }] });
    assert.deepEqual(c[odd.name], counts({ inserted: 1 }));
    const tx = await dest.begin();
    assert.equal(await tx.reconcile(odd.name, { equals: { "it's": true } }, 'soft'), 1);
    await tx.commit();
    const [row] = await readAll(dest, odd.name);
    assert.equal(row['Mixed Case'], 'ok');
    assert.ok(row._deleted_at instanceof Date);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('bad input is a SyncError with a stable code', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    const tx = await dest.begin();
    await assert.rejects(tx.write('nope', [{ id: 'x' }]), { code: 'DESTINATION_UNKNOWN_TABLE' });
    await assert.rejects(tx.write('items', [{ workspace_id: 'w' }]), { code: 'DESTINATION_NULL_KEY' });
    await assert.rejects(tx.write('items', [item(1, { n: 'ten' })]), { code: 'DESTINATION_BAD_VALUE' });
    await assert.rejects(tx.write('items', [item(1, { at: 'yesterday' })]), { code: 'DESTINATION_BAD_VALUE' });
    await assert.rejects(tx.reconcile('items', { equals: { missing: 1 } }, 'hard'), { code: 'DESTINATION_BAD_SCOPE' });
    await assert.rejects(dest.begin(), { code: 'DESTINATION_TX_OPEN' });
    await tx.rollback();
    await assert.rejects(tx.commit(), { code: 'DESTINATION_TX_CLOSED' });
    await assert.rejects(dest.ensureTables([{ ...ITEMS, primaryKey: ['absent'] }]), { code: 'DESTINATION_BAD_SCHEMA' });
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('a column added inside a transaction that rolls back is added again', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    const tx = await dest.begin();
    const v2: TableSchema = { ...ITEMS, columns: [...ITEMS.columns, { name: 'late', type: 'text' }] };
    assert.deepEqual((await dest.ensureTables([v2])).map((c) => c.column), ['late']);
    await tx.write('items', [item(1, { late: 'x' })]);
    await tx.rollback();
    const c = await load(dest, { items: [item(2, { late: 'y' })] });
    assert.deepEqual(c.items, counts({ inserted: 1 }));
    assert.deepEqual((await readAll(dest, 'items')).map((r) => r.late), ['y']);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('values: bigint beyond 2^53, ISO strings with offsets, dates, decimals as strings', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    await load(dest, {
      items: [
        item(1, { n: 9007199254740993n, price: '-0.000000001', at: '2024-06-30T23:30:00-05:00', day: new Date('2024-07-01T00:00:00Z') }),
        item(2, { n: '42', amount: '1.5', flag: 'true', price: 12 }),
      ],
    });
    const [a, b] = await readAll(dest, 'items');
    assert.equal(a.n, 9007199254740993n);
    assert.equal(a.price, -0.000000001);
    assert.equal((a.at as Date).toISOString(), '2024-07-01T04:30:00.000Z');
    assert.equal(a.day, '2024-07-01');
    assert.deepEqual([b.n, b.amount, b.flag, b.price], [42, 1.5, true, 12]);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('a process killed mid-transaction leaves the previous committed state', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const path = `${dir}/db.duckdb`;
  try {
    const dest = await openDb(path);
    const tx = await dest.begin();
    await tx.write('items', [item(1), item(2)]);
    tx.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: 'committed', updatedAt: new Date() }]);
    await tx.commit();
    await dest.close();

    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./support/destination-crash-child.ts', import.meta.url)), path, '20000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        if (String(d).includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    const again = await openDb(path);
    const rows = await readAll(again, 'items');
    assert.deepEqual(rows.map((r) => r.name), ['item 1', 'item 2']);
    assert.deepEqual((await again.readState()).map((s) => s.cursor), ['committed']);
    // the rerun completes
    const c = await load(again, { items: [item(1), item(2), item(3)] });
    assert.deepEqual(c.items, counts({ inserted: 1, unchanged: 2 }));
    await again.close();
  } finally {
    await cleanup();
  }
});

test('the schema option puts tables in a schema of the file; reopening works', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = createDuckDBDestination(`${dir}/db.duckdb`);
    await a.open();
    assert.equal(a.description, `duckdb:${dir}/db.duckdb`);
    await a.close();
    const b = await openDb(`${dir}/db.duckdb`, { schema: 'clockify' });
    await load(b, { items: [item(1)] });
    assert.equal(b.description, `duckdb:${dir}/db.duckdb (schema clockify)`);
    assert.equal((await readAll(b, 'items')).length, 1);
    await b.close();
    const t = await query(`${dir}/db.duckdb`, `SELECT schema_name FROM duckdb_tables() WHERE table_name = 'items'`);
    assert.deepEqual(t.map((r) => r.schema_name), ['clockify']);
  } finally {
    await cleanup();
  }
});

test('a run record is independent of an open data transaction', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    const tx = await dest.begin();
    await tx.write('items', [item(1)]);
    await dest.recordRun({ runId: 'r1', startedAt: new Date('2024-01-01T00:00:00Z'), endedAt: null, status: 'running', mode: 'full', rowsPerTable: {}, requests: 3 });
    await tx.rollback();
    assert.deepEqual((await dest.readRuns!()).map((r) => [r.runId, r.status, r.requests]), [['r1', 'running', 3]]);
    assert.deepEqual(await readAll(dest, 'items'), []);
    await dest.close();
  } finally {
    await cleanup();
  }
});

test('staging through data chunks: control characters, awkward strings and extreme values load exactly', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    const plain = [
      item(1, { name: '', meta: '' }),
      item(2, { name: 'quote " comma , newline \n tab \t backslash \\ emoji 🎉 accents é', amount: -0.1, price: '99999999999999999999.123456789' }),
      item(3, { name: null, n: -9007199254740993n, amount: 1e300, price: '-0.5', at: '1969-12-31T23:59:59.999Z', day: '1900-01-01', flag: false }),
      item(4, { name: 'x'.repeat(10_000), n: 0, amount: 5e-324, price: 0, meta: [] }),
    ];
    const sep = [item(5, { name: 'a\u001fb' }), item(6, { name: 'c' })];
    const mark = [item(7, { name: '\u001e' }), item(8, { meta: '\u001e' })];
    for (const rows of [plain, sep, mark]) await load(dest, { items: rows });
    assert.equal(dest.stats().stagedRows, plain.length + sep.length + mark.length);
    const got = await readAll(dest, 'items');
    assert.deepEqual(got.map((r) => r.name), ['', plain[1].name, null, 'x'.repeat(10_000), 'a\u001fb', 'c', '\u001e', 'item 8']);
    assert.deepEqual(got.map((r) => r.meta).slice(0, 4), ['', { k: 2, list: [1, 'two', null], nested: { ok: true } }, { k: 3, list: [1, 'two', null], nested: { ok: true } }, []]);
    assert.equal(got[7].meta, '\u001e');
    assert.deepEqual([got[2].n, got[3].n], [-9007199254740993n, 0]);
    assert.deepEqual([got[1].amount, got[2].amount, got[3].amount], [-0.1, 1e300, 5e-324]);
    assert.deepEqual([got[1].price, got[2].price, got[3].price], [99999999999999999999.123456789, -0.5, 0]);
    assert.equal((got[2].at as Date).toISOString(), '1969-12-31T23:59:59.999Z');
    assert.deepEqual([got[2].day, got[2].flag], ['1900-01-01', false]);
    const [{ price }] = await (async () => {
      await dest.close();
      return query(`${dir}/db.duckdb`, `SELECT CAST(price AS VARCHAR) AS price FROM items WHERE id = '${plain[1].id}'`);
    })();
    assert.equal(price, '99999999999999999999.123456789');
  } finally {
    await cleanup();
  }
});

test('a file reopened without the schemas reads its key from the table comment (rows come back in key order)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = `${dir}/db.duckdb`;
    const dest = await openDb(path);
    await load(dest, { items: [item(3), item(1)], items__tags: [{ item_id: item(3).id, tag_id: 'b' }, { item_id: item(1).id, tag_id: 'z' }, { item_id: item(1).id, tag_id: 'a' }] });
    await load(dest, { items: [item(2)] });
    await dest.close();
    const again = createDuckDBDestination(path);
    await again.open();
    try {
      assert.deepEqual((await readAll(again, 'items')).map((r) => r.id), [item(1).id, item(2).id, item(3).id]);
      assert.deepEqual((await readAll(again, 'items__tags')).map((r) => `${r.item_id}/${r.tag_id}`), [`${item(1).id}/a`, `${item(1).id}/z`, `${item(3).id}/b`]);
    } finally {
      await again.close();
    }
  } finally {
    await cleanup();
  }
});

test('staging across data chunks: nulls and values in shifting positions over 5,000 rows come back exactly', async () => {
  // Rows are appended 2,048 at a time through one reused chunk: a null (or a value) must not
  // leak from one chunk into the next.
  const { dir, cleanup } = await tempDir();
  try {
    const dest = await openDb(`${dir}/db.duckdb`);
    const rows = Array.from({ length: 5000 }, (_, i) => item(i, {
      name: i % 7 === 0 ? null : `name ${i}`,
      n: i % 5 === 0 ? null : i % 11 === 0 ? -(2n ** 53n) - 1n : i,
      amount: i % 3 === 0 ? null : i / 8,
      price: i % 4 === 0 ? null : i % 9 === 0 ? '0.000000001' : i,
      flag: i % 6 === 0 ? null : i % 2 === 0,
      at: i % 13 === 0 ? null : new Date(Date.UTC(2024, 0, 1) + i * 1000),
      day: i % 17 === 0 ? null : '2024-03-01',
      meta: i % 19 === 0 ? null : { i },
    }));
    await load(dest, { items: rows });
    const got = await readAll(dest, 'items');
    assert.equal(got.length, rows.length);
    for (const [i, r] of got.entries()) {
      const want = rows[i];
      assert.deepEqual(
        [r.id, r.name, r.n, r.amount, r.price, r.flag, (r.at as Date | null)?.getTime() ?? null, r.day, r.meta],
        [want.id, want.name, want.n, want.amount, want.price === null ? null : Number(want.price), want.flag, (want.at as Date | null)?.getTime() ?? null, want.day, want.meta],
        `row ${i}`,
      );
    }
    await dest.close();
  } finally {
    await cleanup();
  }
});

/** DuckDB's memory limit on `core`'s connection, as `current_setting` prints it. */
async function memoryLimit(core: DuckDBCore): Promise<string> {
  return String((await core.rows(`SELECT current_setting('memory_limit') AS m`))[0].m);
}

test('a database file opens with the memory settings a sync needs, and the config overrides them', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const settings = async (path: string, config?: Record<string, string>) => {
      const core = await DuckDBCore.open(path, 'main', config);
      try {
        const [row] = await core.rows(`SELECT current_setting('allocator_flush_threshold') AS f, current_setting('write_buffer_row_group_count') AS w`);
        return [await memoryLimit(core), String(row.f), String(row.w)];
      } finally {
        await core.close();
      }
    };
    const [fileLimit, flush, rowGroups] = await settings(`${dir}/a.duckdb`);
    assert.match(fileLimit, /^6[0-9](\.\d+)? MiB$/);
    assert.match(flush, /^(7\.\d+|8(\.0)?) MiB$/);
    assert.equal(rowGroups, '1');
    assert.match((await settings(`${dir}/b.duckdb`, { memory_limit: '1GB' }))[0], /^9[0-9]{2}(\.\d+)? MiB$/);
    // An in-memory database keeps DuckDB's own limit: its data has nowhere to spill.
    assert.doesNotMatch((await settings(':memory:'))[0], /^6[0-9](\.\d+)? MiB$/);
    // A large transaction lifts the default limit for good; a limit the user set stays.
    for (const [config, liftable] of [[undefined, true], [{ memory_limit: '200MB' }, false]] as const) {
      const core = await DuckDBCore.open(`${dir}/c.duckdb`, 'main', config);
      try {
        const before = await memoryLimit(core);
        await core.run('BEGIN TRANSACTION');
        await core.liftMemoryLimit();
        await core.run('COMMIT');
        const lifted = await memoryLimit(core);
        assert.equal(lifted !== before, liftable, `${before} → ${lifted}`);
      } finally {
        await core.close();
      }
    }
  } finally {
    await cleanup();
  }
});

test('a merge into more than 50,000 stored rows lifts the default memory limit and counts every row', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const core = await DuckDBCore.open(`${dir}/db.duckdb`);
    try {
      await core.ensureTables(TABLES);
      const load1 = async (v: string) => {
        const tx = await DuckDBTransaction.begin(core, new Date());
        await tx.write('items', Array.from({ length: 60_000 }, (_, i) => item(i, { name: `${v} ${i}` })));
        return (await tx.commit()).items;
      };
      const before = await memoryLimit(core);
      assert.deepEqual(await load1('a'), counts({ inserted: 60_000 }));
      assert.equal(await memoryLimit(core), before, 'a first load of new keys keeps the default limit');
      assert.deepEqual(await load1('b'), counts({ updated: 60_000 }));
      assert.notEqual(await memoryLimit(core), before);
      const [{ n, last }] = await core.rows(`SELECT count(*) AS n, max(name) FILTER (WHERE id = 'i059999') AS last FROM items`);
      assert.deepEqual([Number(n), last], [60_000, 'b 59999']);
    } finally {
      await core.close();
    }
  } finally {
    await cleanup();
  }
});

test('a merge turns off the build-side swap for its statements only, also when one fails, and keeps the configured value', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const core = await DuckDBCore.open(`${dir}/db.duckdb`, 'main', { disabled_optimizers: 'compressed_materialization' });
    const setting = async () => String((await core.rows(`SELECT current_setting('disabled_optimizers') AS v`))[0].v);
    try {
      assert.equal(await setting(), 'compressed_materialization');
      await core.runBuildingOnKeys(`CREATE TEMP TABLE t AS SELECT current_setting('disabled_optimizers') AS v`);
      assert.deepEqual(await core.rows('SELECT v FROM t'), [{ v: 'build_side_probe_side,compressed_materialization' }]);
      assert.equal(await setting(), 'compressed_materialization');
      await core.run('BEGIN TRANSACTION');
      await assert.rejects(core.runBuildingOnKeys(`SELECT error('boom')`), /boom/);
      await core.run('ROLLBACK');
      await core.reapplyAfterRollback();
      assert.equal(await setting(), 'compressed_materialization');
    } finally {
      await core.close();
    }
  } finally {
    await cleanup();
  }
});

test('CLOCKIFY_DUCKDB_MEMORY_LIMIT reaches DuckDB, and running out of it says how to raise it', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const job = { destination: { kind: 'duckdb', target: `${dir}/db.duckdb` }, origins: { schema: 'default' } } as unknown as Parameters<typeof destinationForJob>[0];
    const dest = destinationForJob(job, {}, { CLOCKIFY_DUCKDB_MEMORY_LIMIT: '2MB' });
    await dest.open();
    try {
      await dest.ensureTables(TABLES);
      const err = await load(dest, { items: Array.from({ length: 50_000 }, (_, i) => item(i)) }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof SyncError, String(err));
      assert.match(err.message, /could not allocate|out of memory/i);
      assert.match(err.hint ?? '', /CLOCKIFY_DUCKDB_MEMORY_LIMIT=1GB/);
    } finally {
      await dest.close();
    }
  } finally {
    await cleanup();
  }
});
