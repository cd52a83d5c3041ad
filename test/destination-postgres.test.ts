/**
 * PostgreSQL destination specifics (the shared cases live in destination-conformance.test.ts).
 * Tests that need a server run when PG_URL is set; each uses its own schema and drops it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Destination } from '../src/destinations/destination.ts';
import { createPostgresDestination } from '../src/destinations/postgres.ts';
import { dropPostgresSchema } from '../src/destinations/postgres-admin.ts';
import { parsePostgresUrl } from '../src/destinations/postgres-connection.ts';
import { copyTextChunks, escapeCopyText, fieldEncoder, isoFormatter, jsonText } from '../src/destinations/postgres-copy.ts';
import type { Row, TableSchema } from '../src/normalize/table-schema.ts';
import { SyncError } from '../src/errors.ts';

const PG_URL = process.env.PG_URL;
const SKIP = PG_URL ? false : 'PostgreSQL tests skipped: set PG_URL=postgres://postgres@127.0.0.1:5432/test to run them';

const NOTES: TableSchema = {
  name: 'notes',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'text' },
    { name: 'body', type: 'text' },
    { name: 'n', type: 'bigint' },
    { name: 'doc', type: 'json' },
  ],
};

let seq = 0;
function schemaName(tag: string): string {
  return `cs_pgtest_${process.pid}_${tag}_${++seq}`;
}

/** A destination in a fresh schema; dropped (with the schema) when `fn` ends. */
async function withDest(tag: string, fn: (dest: Destination, schema: string) => Promise<void>, schema = schemaName(tag)): Promise<void> {
  const dest = createPostgresDestination(PG_URL!, { schema });
  try {
    await dest.open();
    await fn(dest, schema);
  } finally {
    await dest.close().catch(() => {});
    await dropPostgresSchema(PG_URL!, schema);
  }
}

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function readAll(dest: Destination, table: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const r of dest.readTable(table)) rows.push(r);
  return rows;
}

async function load(dest: Destination, table: string, rows: Row[]) {
  const tx = await dest.begin();
  try {
    await tx.write(table, rows);
    return await tx.commit();
  } catch (err) {
    await tx.rollback();
    throw err;
  }
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('postgres COPY text encoding', () => {
  test('escapes backslash, tab, newline and carriage return; removes NUL; leaves the rest', () => {
    assert.equal(escapeCopyText('plain ünïcode 🎉'), 'plain ünïcode 🎉');
    assert.equal(escapeCopyText('a\tb\nc\r\nd\\e'), 'a\\tb\\nc\\r\\nd\\\\e');
    assert.equal(escapeCopyText('\\N'), '\\\\N', 'a literal \\N is not a null');
    assert.equal(escapeCopyText('nul\0here'), 'nulhere');
  });

  test('field encoders: nulls, booleans, dates, numbers, json', () => {
    assert.equal(fieldEncoder('x', 'text')(null), '\\N');
    assert.equal(fieldEncoder('x', 'text')(undefined), '\\N');
    assert.equal(fieldEncoder('x', 'text')(''), '');
    assert.equal(fieldEncoder('x', 'boolean')(false), 'f');
    assert.equal(fieldEncoder('x', 'boolean')(true), 't');
    assert.equal(fieldEncoder('x', 'timestamptz')(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))), '2024-01-02T03:04:05.006Z');
    assert.equal(fieldEncoder('x', 'date')(new Date(Date.UTC(2024, 0, 2))), '2024-01-02');
    assert.equal(fieldEncoder('x', 'bigint')(12345678901234567890n), '12345678901234567890');
    assert.equal(fieldEncoder('x', 'double')(0), '0');
    assert.equal(fieldEncoder('x', 'json')({ a: 'tab\there' }), '{"a":"tab\\\\there"}');
    assert.throws(() => fieldEncoder('when', 'timestamptz')(new Date(NaN)), (e: SyncError) => e.code === 'DESTINATION_BAD_VALUE' && /when/.test(e.message));
    assert.throws(() => fieldEncoder('n', 'bigint')({}), (e: SyncError) => e.code === 'DESTINATION_BAD_VALUE');
  });

  test('the fast ISO formatter matches toISOString, across days, before 1970 and outside years 0-9999', () => {
    const iso = isoFormatter();
    const samples = [0, -1, 1, 999, -86_400_001, 86_399_999, 1_700_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, 8.64e15];
    for (let i = 0; i < 5000; i++) samples.push(Date.UTC(2024, 0, 1) + i * 61_037);
    for (const ms of samples) assert.equal(iso(new Date(ms)), new Date(ms).toISOString(), String(ms));
    assert.throws(() => iso(new Date(NaN)));
  });

  test('jsonb text drops NUL characters, which jsonb refuses', () => {
    assert.equal(jsonText({ s: 'a\0b' }), '{"s":"ab"}');
    assert.equal(jsonText(undefined), 'null');
    assert.equal(jsonText({ big: 2n ** 70n }), `{"big":"${2n ** 70n}"}`);
  });

  test('rows are chunked on line boundaries', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, v: 'x'.repeat(10) }));
    const chunks = [...copyTextChunks(rows, ['id', 'v'], [fieldEncoder('id', 'text'), fieldEncoder('v', 'text')], 100)];
    assert.ok(chunks.length > 1);
    for (const c of chunks) assert.ok(c.endsWith('\n'));
    assert.equal(chunks.join('').split('\n').length - 1, 50);
  });
});

describe('postgres connection settings and password masking', () => {
  test('password comes from the URL, then options, then PGPASSWORD; description masks it', () => {
    const a = parsePostgresUrl('postgres://alice:s3cr%40t@db.example:6543/warehouse', { env: {} });
    assert.equal(a.password, 's3cr@t');
    assert.equal(a.port, 6543);
    assert.equal(a.database, 'warehouse');
    assert.equal(a.schema, 'clockify');
    assert.equal(a.description, 'postgres://alice:***@db.example:6543/warehouse (schema clockify)');
    const b = parsePostgresUrl('postgresql://bob@h/db', { password: 'fromOptions', schema: 'x', env: { PGPASSWORD: 'fromEnv' } });
    assert.equal(b.password, 'fromOptions');
    assert.equal(b.schema, 'x');
    const c = parsePostgresUrl('postgres://bob@h/db', { env: { PGPASSWORD: 'fromEnv1' } });
    assert.equal(c.password, 'fromEnv1');
    assert.ok(!c.description.includes('fromEnv1'));
    const d = parsePostgresUrl('postgres://bob@h/db', { env: {} });
    assert.equal(d.password, undefined);
    assert.equal(d.description, 'postgres://bob@h:5432/db (schema clockify)');
  });

  test('a URL that is not postgres:// is a configuration error', () => {
    assert.throws(() => parsePostgresUrl('mysql://x@h/db'), (e: SyncError) => e.code === 'DESTINATION_BAD_URL' && e.exitCode === 2);
    assert.throws(() => parsePostgresUrl('not a url'), (e: SyncError) => e.code === 'DESTINATION_BAD_URL');
  });

  test('an unreachable server is DESTINATION_UNREACHABLE, says what to check, never shows the password', async () => {
    const port = await closedPort();
    const dest = createPostgresDestination(`postgres://someone:hunter2-very-secret@127.0.0.1:${port}/nowhere`);
    assert.ok(!dest.description.includes('hunter2'));
    const err = await dest.open().then(() => null, (e: unknown) => e);
    assert.ok(err instanceof SyncError);
    assert.equal(err.code, 'DESTINATION_UNREACHABLE');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(err.message, /running/);
    const everything = `${err.message} ${err.hint} ${err.stack} ${String((err.cause as Error)?.message)}`;
    assert.ok(!everything.includes('hunter2'), 'password not in any part of the error');
    await dest.close();
  });

  test('a database that does not exist is reported with the password masked', { skip: SKIP }, async () => {
    const u = new URL(PG_URL!);
    u.password = 'pw-never-shown';
    u.pathname = '/cs_no_such_db_here';
    const dest = createPostgresDestination(u.toString());
    const err = await dest.open().then(() => null, (e: unknown) => e);
    assert.ok(err instanceof SyncError);
    assert.equal(err.code, 'DESTINATION_UNREACHABLE');
    assert.match(err.message, /cs_no_such_db_here" does not exist/);
    assert.ok(!`${err.message} ${err.stack}`.includes('pw-never-shown'));
    assert.ok(dest.description.includes(':***@'));
  });
});

describe('postgres destination against a server', { skip: SKIP }, () => {
  test('creates the schema if missing (quoted names included) and the tables in it', async () => {
    const schema = `Cs "Odd" ${process.pid}`;
    await withDest('schema', async (dest) => {
      const changes = await dest.ensureTables([NOTES]);
      assert.deepEqual(changes, [{ table: 'notes', kind: 'created' }]);
      const tables = await sql<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
      assert.deepEqual(tables.map((t) => t.table_name), ['_clockify_sync_runs', '_clockify_sync_state', 'notes']);
      const cols = await sql<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, 'notes']);
      assert.deepEqual(cols.map((c) => [c.column_name, c.data_type]), [
        ['id', 'text'], ['body', 'text'], ['n', 'bigint'], ['doc', 'jsonb'],
        ['_loaded_at', 'timestamp with time zone'], ['_deleted_at', 'timestamp with time zone'],
      ]);
    }, schema);
  });

  test('COPY round-trips tabs, newlines, backslashes, \\N and \\. look-alikes, emoji; NUL is removed', async () => {
    await withDest('copy', async (dest, schema) => {
      await dest.ensureTables([NOTES]);
      const bodies = [
        'tab\there', 'new\nline', 'cr\rlf\r\n', 'back\\slash', '\\N', '\\.', '\\', 'ends with backslash\\',
        '🎉👩‍👩‍👧‍👦 emoji', 'quote " and \' and ,;|', 'x'.repeat(100_000) + '\t\n\\',
      ];
      const rows: Row[] = bodies.map((body, i) => ({ id: `k${String(i).padStart(2, '0')}`, body, n: i, doc: { body, i } }));
      rows.push({ id: 'k99', body: 'nul\0inside', n: null, doc: { s: 'nul\0json' } });
      const c = await load(dest, 'notes', rows);
      assert.deepEqual(c.notes, { inserted: rows.length, updated: 0, unchanged: 0, deleted: 0 });
      const back = await readAll(dest, 'notes');
      assert.deepEqual(back.slice(0, bodies.length).map((r) => r.body), bodies);
      assert.deepEqual(back.slice(0, bodies.length).map((r) => (r.doc as { body: string }).body), bodies);
      assert.equal(back[bodies.length].body, 'nulinside');
      assert.deepEqual(back[bodies.length].doc, { s: 'nuljson' });
      assert.equal(back[bodies.length].n, null);
      // checked straight in the database too, not only through readTable
      const raw = await sql<{ body: string }>(`SELECT body FROM "${schema}".notes WHERE id = 'k00'`);
      assert.equal(raw[0].body, 'tab\there');
      // the same rows again are unchanged (the NUL-stripped row differs from what was sent, so it is written again)
      const again = await load(dest, 'notes', rows.slice(0, bodies.length));
      assert.deepEqual(again.notes, { inserted: 0, updated: 0, unchanged: bodies.length, deleted: 0 });
    });
  });

  test('a type change in the catalog is reported as type-mismatch and not forced', async () => {
    await withDest('types', async (dest, schema) => {
      await sql(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await sql(`CREATE TABLE "${schema}".notes (id text PRIMARY KEY, body integer, n bigint, _loaded_at timestamptz NOT NULL DEFAULT now(), _deleted_at timestamptz)`);
      const changes = await dest.ensureTables([NOTES]);
      assert.deepEqual(changes.map((c) => [c.kind, c.column]), [['type-mismatch', 'body'], ['column-added', 'doc']]);
      assert.match(changes[0].detail!, /integer/);
      const type = await sql<{ data_type: string }>(
        `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'notes' AND column_name = 'body'`, [schema]);
      assert.equal(type[0].data_type, 'integer', 'column left as it was');
      // values that fit still load; values that don't fail clearly and leave the destination usable
      await load(dest, 'notes', [{ id: 'a', body: '42' }]);
      await assert.rejects(load(dest, 'notes', [{ id: 'b', body: 'not a number' }]), (e: SyncError) =>
        e.code === 'DESTINATION_WRITE_FAILED' && /notes/.test(e.message) && /integer/.test(e.message));
      await load(dest, 'notes', [{ id: 'c', body: '7' }]);
      assert.deepEqual((await readAll(dest, 'notes')).map((r) => [r.id, r.body]), [['a', 42], ['c', 7]]);
    });
  });

  test('bad values, unknown columns, null keys and unknown tables are SyncErrors; the transaction can roll back', async () => {
    await withDest('errors', async (dest) => {
      await dest.ensureTables([NOTES]);
      let tx = await dest.begin();
      await assert.rejects(tx.write('notes', [{ id: 'a', nope: 1 }]), (e: SyncError) => e.code === 'DESTINATION_UNKNOWN_COLUMN' && /nope/.test(e.message));
      await assert.rejects(tx.write('notes', [{ id: null, body: 'x' }]), (e: SyncError) => e.code === 'DESTINATION_NULL_KEY');
      await assert.rejects(tx.write('missing', [{ id: 'a' }]), (e: SyncError) => e.code === 'DESTINATION_UNKNOWN_TABLE');
      await assert.rejects(tx.reconcile('notes', { equals: { ghost: 1 } }, 'hard'), (e: SyncError) => e.code === 'DESTINATION_UNKNOWN_COLUMN');
      await assert.rejects(dest.begin(), (e: SyncError) => e.code === 'DESTINATION_TX_OPEN');
      await assert.rejects(tx.write('notes', [{ id: 'a', n: 'twelve' }]), (e: SyncError) => e.code === 'DESTINATION_WRITE_FAILED' && /bigint/.test(e.message));
      await tx.rollback();
      tx = await dest.begin();
      await tx.write('notes', [{ id: 'a', n: 12 }]);
      await tx.commit();
      await assert.rejects(tx.write('notes', []), (e: SyncError) => e.code === 'DESTINATION_TX_CLOSED');
      assert.deepEqual((await readAll(dest, 'notes')).map((r) => [r.id, r.n]), [['a', 12]]);
    });
  });

  test('an empty table takes a direct COPY; a key repeated across writes falls back to staging + merge', async () => {
    await withDest('fresh', async (dest) => {
      await dest.ensureTables([NOTES]);
      const tx = await dest.begin();
      await tx.write('notes', [{ id: 'a', body: '1' }, { id: 'b', body: '1' }, { id: 'c', body: '1' }]);
      await tx.write('notes', [{ id: 'c', body: '2' }, { id: 'd', body: '1' }]); // c again: unique violation → staging
      await tx.write('notes', [{ id: 'a', body: '1' }, { id: 'e', body: '1' }]);
      assert.equal(await tx.reconcile('notes', { equals: {} }, 'hard'), 0, 'every row was written in this transaction');
      const c = await tx.commit();
      assert.deepEqual(c.notes, { inserted: 5, updated: 1, unchanged: 1, deleted: 0 });
      assert.deepEqual((await readAll(dest, 'notes')).map((r) => `${r.id}${r.body}`), ['a1', 'b1', 'c2', 'd1', 'e1']);
    });
  });

  test('a connection lost mid-transaction is DESTINATION_UNREACHABLE; nothing is committed; a reopened destination works', async () => {
    await withDest('lost', async (dest, schema) => {
      await dest.ensureTables([NOTES]);
      await load(dest, 'notes', [{ id: 'a', body: 'kept' }]);
      const tx = await dest.begin();
      await tx.write('notes', [{ id: 'a', body: 'changed' }, { id: 'b', body: 'new' }]);
      tx.setState([{ workspaceId: 'w', stream: 'notes', partition: '', cursor: 'lost', updatedAt: new Date() }]);
      // the backend holding this transaction's locks on the schema's table
      const holders = await sql<{ pid: number }>(
        `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = 'notes' AND l.pid <> pg_backend_pid()`, [schema]);
      assert.equal(holders.length, 1);
      await sql('SELECT pg_terminate_backend($1)', [holders[0].pid]);
      await assert.rejects(tx.commit(), (e: SyncError) => e.code === 'DESTINATION_UNREACHABLE' && /Lost the connection to PostgreSQL/.test(e.message) && /previous state/.test(e.message));
      await dest.close();
      const again = createPostgresDestination(PG_URL!, { schema });
      try {
        await again.open();
        await again.ensureTables([NOTES]);
        assert.deepEqual((await readAll(again, 'notes')).map((r) => [r.id, r.body]), [['a', 'kept']]);
        assert.deepEqual(await again.readState(), []);
        const c = await load(again, 'notes', [{ id: 'a', body: 'changed' }, { id: 'b', body: 'new' }]);
        assert.deepEqual(c.notes, { inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
      } finally {
        await again.close();
      }
    });
  });

  test('names longer than PostgreSQL allows are refused instead of being truncated', async () => {
    await withDest('long', async (dest) => {
      const long: TableSchema = { name: 't_' + 'x'.repeat(70), primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }] };
      await assert.rejects(dest.ensureTables([long]), (e: SyncError) => e.code === 'DESTINATION_BAD_IDENTIFIER');
    });
  });

  test('grandchildren follow when a child row is replaced or its parent deleted', async () => {
    const parent: TableSchema = { name: 'p', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'ws', type: 'text' }] };
    const child: TableSchema = { name: 'p__c', primaryKey: ['p_id', 'c_id'], parent: { table: 'p', columns: ['p_id'] }, columns: [{ name: 'p_id', type: 'text' }, { name: 'c_id', type: 'text' }] };
    const grand: TableSchema = {
      name: 'p__c__g', primaryKey: ['p_id', 'c_id', 'g'], parent: { table: 'p__c', columns: ['p_id', 'c_id'] },
      columns: [{ name: 'p_id', type: 'text' }, { name: 'c_id', type: 'text' }, { name: 'g', type: 'bigint' }],
    };
    await withDest('grand', async (dest) => {
      await dest.ensureTables([parent, child, grand]);
      let tx = await dest.begin();
      await tx.write('p', [{ id: '1', ws: 'w' }, { id: '2', ws: 'w' }]);
      await tx.write('p__c', [{ p_id: '1', c_id: 'a' }, { p_id: '1', c_id: 'b' }, { p_id: '2', c_id: 'a' }]);
      await tx.write('p__c__g', [{ p_id: '1', c_id: 'a', g: 1 }, { p_id: '1', c_id: 'b', g: 1 }, { p_id: '2', c_id: 'a', g: 1 }]);
      await tx.commit();
      // parent 1 now has only child a (with its grandchild); child b and its grandchild go
      tx = await dest.begin();
      await tx.write('p', [{ id: '1', ws: 'w' }]);
      await tx.write('p__c', [{ p_id: '1', c_id: 'a' }]);
      await tx.write('p__c__g', [{ p_id: '1', c_id: 'a', g: 1 }]);
      let c = await tx.commit();
      assert.equal(c.p__c.deleted, 1);
      assert.equal(c.p__c__g.deleted, 1);
      // parent 2 hard-deleted: its child and grandchild go too
      tx = await dest.begin();
      await tx.write('p', [{ id: '1', ws: 'w' }]);
      await tx.write('p__c', [{ p_id: '1', c_id: 'a' }]);
      await tx.write('p__c__g', [{ p_id: '1', c_id: 'a', g: 1 }]);
      assert.equal(await tx.reconcile('p', { equals: { ws: 'w' } }, 'hard'), 1);
      c = await tx.commit();
      assert.deepEqual(c.p, { inserted: 0, updated: 0, unchanged: 1, deleted: 1 });
      assert.deepEqual([c.p__c.deleted, c.p__c__g.deleted], [1, 1]);
      assert.deepEqual((await readAll(dest, 'p__c__g')).map((r) => `${r.p_id}/${r.c_id}/${r.g}`), ['1/a/1']);
    });
  });

  test('readTable returns canonical forms: int8 beyond 2^53 as bigint, numeric as number, date as string', async () => {
    const t: TableSchema = {
      name: 'forms', primaryKey: ['id'],
      columns: [{ name: 'id', type: 'bigint' }, { name: 'big', type: 'bigint' }, { name: 'd', type: 'decimal' }, { name: 'day', type: 'date' }, { name: 'ok', type: 'boolean' }],
    };
    await withDest('forms', async (dest) => {
      await dest.ensureTables([t]);
      await load(dest, 'forms', [{ id: 2, big: 2n ** 62n, d: '0.125', day: '2024-02-29', ok: true }, { id: 1, big: 5, d: 3, day: new Date(Date.UTC(2024, 0, 1)), ok: false }]);
      const back = await readAll(dest, 'forms');
      assert.deepEqual(back.map((r) => [r.id, r.big, r.d, r.day, r.ok]), [[1, 5, 3, '2024-01-01', false], [2, 2n ** 62n, 0.125, '2024-02-29', true]]);
    });
  });
});
