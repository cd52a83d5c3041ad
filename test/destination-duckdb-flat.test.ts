/**
 * Flat pages (raw JSON pages flattened to CSV by json-flatten.ts) loaded by DuckDB (duckdb-flat.ts
 * through DuckDBTransaction.writeFlat) give exactly the rows the normalizer makes of the same
 * records, awkward values included; repeated keys, rows already stored and fields the plan
 * learned behave as through `write`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDuckDBDestination, type DuckDBDestination } from '../src/destinations/duckdb.ts';
import { flatShapeOf, flattenPage } from '../src/normalize/json-flatten.ts';
import { scanJsonPage, shapeOf } from '../src/normalize/json-shape.ts';
import type { StreamPlan } from '../src/normalize/normalize-plan.ts';
import { createNormalizer, type Normalizer } from '../src/normalize/normalizer.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { STREAMS } from '../src/streams/stream-table.ts';

const WS = "ws'1";
const TE = 'time_entries';

function entry(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id, description: 'plain', userId: 'u1', workspaceId: WS, projectId: 'p1', taskId: null, tagIds: ['t1', 't2'], billable: true,
    isLocked: false, type: 'REGULAR', kioskId: null,
    timeInterval: { start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:30:15Z', duration: 'PT1H30M15S' },
    hourlyRate: { amount: 12050, currency: 'USD' }, costRate: null,
    customFieldValues: [{ customFieldId: 'cf1', timeEntryId: id, name: 'Ticket', type: 'TXT', value: 'ABC-1' }],
    ...over,
  };
}

/** Records with the awkward values a page can carry (all of which fit the shape). */
const AWKWARD = [
  entry('e01', { description: 'quote " backslash \\ newline \n tab \t — ünïcödé 😀 \u0001' }),
  entry('e02', { description: '', tagIds: null, customFieldValues: [] }),
  entry('e03', { tagIds: [], hourlyRate: null, costRate: { amount: 0, currency: '' } }),
  entry('e04', { tagIds: ['t1', 't1', null, 't3'] }),
  entry('e05', { timeInterval: { start: '2026-11-02T08:00:00.5Z', end: null, duration: null } }),
  entry('e06', { timeInterval: { start: '2026-11-02T08:00:00.250Z', end: '2026-11-02T08:00:01.749Z', duration: null } }),
  entry('e07', { timeInterval: { start: '2026-11-02T10:00:00+05:30', end: '2026-11-02T10:00:00-01:00', duration: 'PT6H30M' } }),
  entry('e08', { timeInterval: { start: '2026-11-02T08:00:00Z', end: '2026-11-02T07:59:59.500Z', duration: null } }),
  entry('e09', { timeInterval: { duration: 'PT45S' }, billable: null, isLocked: null, type: null }),
  entry('e10', { timeInterval: null, hourlyRate: { amount: -999999999999999, currency: 'EUR' } }),
  entry('e11', {
    customFieldValues: [
      { customFieldId: 'cf1', timeEntryId: 'e11', name: 'n', type: 'NUMBER', value: 42 },
      { customFieldId: 'cf2', timeEntryId: 'e11', name: 'b', type: 'CHECKBOX', value: true },
      { customFieldId: 'cf3', timeEntryId: 'e11', name: 'l', type: 'DROPDOWN_MULTIPLE', value: ['a', 'b "c"'] },
      { customFieldId: 'cf4', timeEntryId: 'e11', name: 'o', type: 'LINK', value: { href: 'x', n: [1, 2] } },
      { customFieldId: 'cf5', timeEntryId: 'e11', name: null, type: null, value: null },
      null,
    ],
  }),
  entry('e12', { timeInterval: { start: '2024-02-29T23:59:59.999Z', end: '2024-03-01T00:00:00Z', duration: 'PT0S' } }),
  { id: 'e13' },
];

function page(records: unknown[], spaced = false): Buffer {
  return Buffer.from(spaced ? JSON.stringify(records, null, 2) : JSON.stringify(records));
}

/** The pages flattened with the plan's current shape, as the loader hands them over. */
function flat(plan: StreamPlan, ...bodies: Buffer[]) {
  const shape = flatShapeOf(plan);
  return { shape, workspaceId: WS, pages: bodies.map((b) => flattenPage(b, shape)!.tables) };
}

async function open(): Promise<{ dest: DuckDBDestination; normalizer: Normalizer }> {
  const normalizer = createNormalizer(STREAMS.filter((s) => s.name === TE));
  const dest = createDuckDBDestination(':memory:', { now: () => new Date('2026-11-20T00:00:00Z') });
  await dest.open();
  await dest.ensureTables(normalizer.tables());
  return { dest, normalizer };
}

/** Two fresh destinations: `a` loaded through the normalizer, `b` through flat pages. */
async function withTwo(fn: (a: Awaited<ReturnType<typeof open>>, b: Awaited<ReturnType<typeof open>>) => Promise<void>): Promise<void> {
  const a = await open();
  const b = await open();
  try {
    await fn(a, b);
  } finally {
    await a.dest.close();
    await b.dest.close();
  }
}

async function writeRows(dest: DuckDBDestination, normalizer: Normalizer, records: unknown[]): Promise<void> {
  const result = normalizer.normalize(TE, WS, records);
  if (result.newColumns.length) await dest.ensureTables(normalizer.tablesFor(TE));
  const tx = await dest.begin();
  for (const [table, rows] of result.rows) await tx.write(table, rows);
  await tx.commit();
}

async function tables(dest: DuckDBDestination, normalizer: Normalizer): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of normalizer.tablesFor(TE)) {
    const rows: string[] = [];
    for await (const r of dest.readTable(t.name)) rows.push(JSON.stringify(r satisfies Row));
    out[t.name] = rows.sort();
  }
  return out;
}

test('every record of the awkward page fits the shape, and DuckDB makes the rows the normalizer makes', async () => {
  await withTwo(async (a, b) => {
    const body = page(AWKWARD, true);
    const scan = scanJsonPage(body, shapeOf(b.normalizer.planFor(TE)));
    assert.equal(scan?.fits, true);
    assert.equal(scan?.count, AWKWARD.length);
    await writeRows(a.dest, a.normalizer, AWKWARD);
    const tx = await b.dest.begin();
    await tx.writeFlat!(flat(b.normalizer.planFor(TE), body));
    const counts = await tx.commit();
    assert.equal(counts[TE].inserted, AWKWARD.length);
    assert.equal(b.dest.stats().flatPages, 1);
    const expected = await tables(a.dest, a.normalizer);
    assert.ok(expected.time_entries__tags.length >= 20 && expected.time_entries__custom_field_values.length >= 15);
    assert.deepEqual(await tables(b.dest, b.normalizer), expected);
  });
});

test('flat pages upsert like rows: the last of a repeated key wins, stored rows are updated or left alone, lists are replaced', async () => {
  await withTwo(async (a, b) => {
    const first = [entry('k1'), entry('k2'), entry('k3', { tagIds: ['t9'] })];
    const second = [entry('k1', { description: 'old' }), entry('k2'), entry('k1', { description: 'new', tagIds: ['t5'] }), entry('k4')];
    await writeRows(a.dest, a.normalizer, first);
    await writeRows(a.dest, a.normalizer, second);
    const plan = b.normalizer.planFor(TE);
    let tx = await b.dest.begin();
    await tx.writeFlat!(flat(plan, page(first)));
    await tx.commit();
    // A first load goes straight into the tables (3 entries, 5 tags, 3 custom field values).
    assert.deepEqual([b.dest.stats().directRows, b.dest.stats().stagedRows], [11, 0]);
    tx = await b.dest.begin();
    // The repeated key k1 spans two pages of one load.
    await tx.writeFlat!(flat(plan, page(second.slice(0, 2)), page(second.slice(2))));
    const counts = await tx.commit();
    assert.deepEqual(counts[TE], { inserted: 1, updated: 1, unchanged: 1, deleted: 0 });
    // Stored and repeated keys: the load was staged and merged.
    assert.equal(b.dest.stats().directRows, 11);
    assert.ok(b.dest.stats().stagedRows > 0);
    assert.deepEqual(await tables(b.dest, b.normalizer), await tables(a.dest, a.normalizer));
    const after = await tables(b.dest, b.normalizer);
    assert.match(after.time_entries.find((r) => r.includes('"k1"'))!, /"description":"new"/);
    // k3 was not written again: its list stays; k2's list is the same.
    assert.ok(after.time_entries__tags.some((r) => r.includes('"k3"') && r.includes('"t9"')));
  });
});

test('a field the plan learned from a parsed page is a column flat pages fill too', async () => {
  const { dest, normalizer } = await open();
  try {
    const plan = normalizer.planFor(TE);
    const withField = [entry('n1', { approvalStatus: 'PENDING', timeInterval: { start: '2026-11-02T08:00:00Z', end: null, duration: null, zone: 'UTC' } })];
    assert.equal(scanJsonPage(page(withField), shapeOf(plan))?.fits, false, 'unknown fields do not fit');
    await writeRows(dest, normalizer, withField);
    const next = [entry('n2', { approvalStatus: 'APPROVED', timeInterval: { start: '2026-11-03T08:00:00Z', end: null, duration: null, zone: 'Europe/Paris' } })];
    assert.equal(scanJsonPage(page(next), shapeOf(plan))?.fits, true, 'once learned, they fit');
    const tx = await dest.begin();
    await tx.writeFlat!(flat(plan, page(next)));
    await tx.commit();
    const rows: Row[] = [];
    for await (const r of dest.readTable(TE)) rows.push(r);
    assert.deepEqual(rows.map((r) => [r.id, r.approval_status, r.time_interval__zone]), [['n1', 'PENDING', 'UTC'], ['n2', 'APPROVED', 'Europe/Paris']]);
  } finally {
    await dest.close();
  }
});

test('a record longer than the CSV reader\'s default line limit (2 MB) loads', async () => {
  await withTwo(async (a, b) => {
    const records = [entry('big', { description: 'x"\n'.repeat(1_200_000) }), entry('small')];
    await writeRows(a.dest, a.normalizer, records);
    const tx = await b.dest.begin();
    await tx.writeFlat!(flat(b.normalizer.planFor(TE), page(records)));
    await tx.commit();
    assert.deepEqual(await tables(b.dest, b.normalizer), await tables(a.dest, a.normalizer));
  });
});

test('a page with a record or a list item without its key is not flattened (the normalizer refuses it)', async () => {
  const { dest, normalizer } = await open();
  try {
    const shape = flatShapeOf(normalizer.planFor(TE));
    assert.notEqual(flattenPage(page([entry('ok')]), shape), null);
    assert.equal(flattenPage(page([entry('ok'), entry('x', { id: null })]), shape), null);
    assert.equal(flattenPage(page([entry('ok'), { description: 'no id' }]), shape), null);
    const noField = entry('y', { customFieldValues: [{ customFieldId: null, name: 'n', type: 'TXT', value: 'v' }] });
    assert.equal(flattenPage(page([noField]), shape), null);
    // Through the normalizer's path, the same records are refused with DESTINATION_NULL_KEY.
    const tx = await dest.begin();
    const result = normalizer.normalize(TE, WS, [entry('ok'), entry('x', { id: null })]);
    await assert.rejects(
      (async () => {
        for (const [table, rows] of result.rows) await tx.write(table, rows);
      })(),
      (err: Error & { code?: string }) => err.code === 'DESTINATION_NULL_KEY',
    );
    await tx.rollback();
  } finally {
    await dest.close();
  }
});

test('page directories of processes that no longer run (a killed sync) are removed; others are left alone', async () => {
  const { mkdtempSync, mkdirSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const { removeOrphans } = await import('../src/destinations/duckdb-flat.ts');
  const parent = mkdtempSync(join(tmpdir(), 'orphans-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const name of [`clockify-sync-pages-${dead}-a`, `clockify-sync-pages-${process.pid}-b`, 'clockify-sync-pages-x', 'other-1-c']) mkdirSync(join(parent, name));
    removeOrphans(parent);
    assert.equal(existsSync(join(parent, `clockify-sync-pages-${dead}-a`)), false);
    for (const name of [`clockify-sync-pages-${process.pid}-b`, 'clockify-sync-pages-x', 'other-1-c']) assert.ok(existsSync(join(parent, name)), name);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

/** The CSV files this process has waiting for DuckDB. */
async function pageFilesWaiting(): Promise<number> {
  const { readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return readdirSync(tmpdir())
    .filter((d) => d.startsWith(`clockify-sync-pages-${process.pid}-`))
    .reduce((n, d) => n + readdirSync(join(tmpdir(), d)).length, 0);
}

test('flat pages wait in files until commit; a rollback removes them', async () => {
  const { dest, normalizer } = await open();
  try {
    const plan = normalizer.planFor(TE);
    let tx = await dest.begin();
    await tx.writeFlat!(flat(plan, page([entry('w1')]), page([entry('w2')])));
    assert.equal(await pageFilesWaiting(), 6, 'three tables, two pages');
    await tx.rollback();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(await pageFilesWaiting(), 0);
    await assert.rejects(tx.writeFlat!(flat(plan, page([entry('w3')]))), { code: 'DESTINATION_TX_CLOSED' });
    tx = await dest.begin();
    await tx.writeFlat!(flat(plan, page([entry('w1')])));
    await tx.commit();
    assert.equal(await pageFilesWaiting(), 0);
    const ids: unknown[] = [];
    for await (const r of dest.readTable(TE)) ids.push(r.id);
    assert.deepEqual(ids, ['w1']);
  } finally {
    await dest.close();
  }
});

test('a transaction begins once the previous one\'s commit is called, takes flat pages while it runs, and loads them after it', async () => {
  const { dest, normalizer } = await open();
  try {
    const plan = normalizer.planFor(TE);
    const first = await dest.begin();
    await first.writeFlat!(flat(plan, page([entry('c1'), entry('c2')])));
    await assert.rejects(dest.begin(), { code: 'DESTINATION_TX_OPEN' });
    const committing = first.commit();
    const second = await dest.begin();
    await second.writeFlat!(flat(plan, page([entry('c3')])));
    await committing;
    await assert.rejects(first.commit(), { code: 'DESTINATION_TX_CLOSED' });
    assert.equal((await second.commit())[TE].inserted, 1);
    const ids: unknown[] = [];
    for await (const r of dest.readTable(TE)) ids.push(r.id);
    assert.deepEqual(ids, ['c1', 'c2', 'c3']);
  } finally {
    await dest.close();
  }
});

test('rows and flat pages of one key in one transaction: the last handed over wins, either way round', async () => {
  await withTwo(async (a, b) => {
    const plan = b.normalizer.planFor(TE);
    // o1: a flat page, then rows; o2: rows, then a flat page. Side a writes the same records as rows, in the same order.
    const steps: [boolean, Record<string, unknown>[]][] = [
      [true, [entry('o1', { description: 'flat' })]],
      [false, [entry('o1', { description: 'rows' }), entry('o2', { description: 'rows' })]],
      [true, [entry('o2', { description: 'flat', tagIds: ['t7'] })]],
    ];
    const txa = await a.dest.begin();
    const txb = await b.dest.begin();
    for (const [flatPage, records] of steps) {
      for (const [table, rows] of a.normalizer.normalize(TE, WS, records).rows) await txa.write(table, rows);
      if (flatPage) await txb.writeFlat!(flat(plan, page(records)));
      else for (const [table, rows] of b.normalizer.normalize(TE, WS, records).rows) await txb.write(table, rows);
    }
    await txa.commit();
    await txb.commit();
    const after = await tables(b.dest, b.normalizer);
    assert.deepEqual(after, await tables(a.dest, a.normalizer));
    assert.deepEqual(after.time_entries.map((r) => JSON.parse(r).description), ['rows', 'flat']);
  });
});

test('a stored child of a parent not stored (written alone) is replaced when a flat page writes that parent', async () => {
  await withTwo(async (a, b) => {
    const orphan = [{ workspace_id: WS, time_entry_id: 'p1', tag_id: 'gone' }];
    for (const side of [a, b]) {
      const tx = await side.dest.begin();
      await tx.write('time_entries__tags', orphan);
      await tx.commit();
    }
    await writeRows(a.dest, a.normalizer, [entry('p1')]);
    const tx = await b.dest.begin();
    await tx.writeFlat!(flat(b.normalizer.planFor(TE), page([entry('p1')])));
    const counts = await tx.commit();
    assert.equal(counts.time_entries__tags.deleted, 1);
    assert.equal(b.dest.stats().directRows, 0, 'staged: a stored child had to be replaced');
    const after = await tables(b.dest, b.normalizer);
    assert.deepEqual(after, await tables(a.dest, a.normalizer));
    assert.ok(!after.time_entries__tags.some((r) => r.includes('"gone"')));
  });
});

test('a reconcile sees the keys of flat pages not loaded yet: in a resync it deletes only what was not written', async () => {
  const { dest, normalizer } = await open();
  try {
    const plan = normalizer.planFor(TE);
    const scope = { equals: { user_id: 'u1' } };
    let tx = await dest.begin();
    await tx.writeFlat!(flat(plan, page([entry('r1'), entry('r2'), entry('r3', { userId: 'u2' })])));
    assert.equal(await tx.reconcile(TE, scope, 'hard'), 0);
    await tx.commit();
    assert.equal(dest.stats().directRows > 0 && dest.stats().stagedRows === 0, true, 'a first sync\'s reconcile stages nothing');
    tx = await dest.begin();
    await tx.writeFlat!(flat(plan, page([entry('r1', { description: 'edited' })])));
    assert.equal(await tx.reconcile(TE, scope, 'hard'), 1);
    const counts = await tx.commit();
    assert.deepEqual(counts[TE], { inserted: 0, updated: 1, unchanged: 0, deleted: 1 });
    const rows: Row[] = [];
    for await (const r of dest.readTable(TE)) rows.push(r);
    assert.deepEqual(rows.map((r) => [r.id, r.description]), [['r1', 'edited'], ['r3', 'plain']]);
  } finally {
    await dest.close();
  }
});
