/**
 * Excel destination specifics (the shared cases live in destination-conformance.test.ts):
 * the workbook's shape and cell types, the About sheet, sheet names, Excel's limits, temporary
 * files, and that LibreOffice opens the result (when it is installed).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createXlsxDestination, XLSX_MAX_DATA_ROWS } from '../src/destinations/xlsx.ts';
import { EXCEL_MAX_CELL_CHARS, sheetNames } from '../src/destinations/xlsx-render.ts';
import { SyncError } from '../src/errors.ts';
import type { TableSchema } from '../src/normalize/table-schema.ts';
import { TABLES, item, load, readAll, tag, tempDir } from './support/destination-fixtures.ts';

const NOW = new Date('2024-06-01T12:00:00.000Z');

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

function sheetText(ws: ExcelJS.Worksheet): string {
  const lines: string[] = [];
  ws.eachRow((row) => lines.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : String(v ?? ''))).join(' | ')));
  return lines.join('\n');
}

describe('xlsx sheet names', () => {
  test('≤ 31 characters, no forbidden characters, unique case-insensitively, About and History reserved', () => {
    const names = sheetNames([
      'time_entries__custom_field_values_long_name', 'time_entries__custom_field_values_long_other',
      'a/b:c?d*e[f]g\\h', "'quoted'", 'about', 'History', 'Items', 'items',
    ]);
    const out = [...names.values()];
    for (const n of out) {
      assert.ok(n.length <= 31, n);
      assert.doesNotMatch(n, /[:\\/?*[\]]/);
      assert.ok(!n.startsWith("'") && !n.endsWith("'"), n);
    }
    assert.equal(new Set(out.map((n) => n.toLowerCase())).size, out.length, 'unique');
    assert.equal(names.get('time_entries__custom_field_values_long_name'), 'time_entries__custom_field_valu');
    assert.equal(names.get('time_entries__custom_field_values_long_other'), 'time_entries__custom_field_va~2');
    assert.equal(names.get('a/b:c?d*e[f]g\\h'), 'a_b_c_d_e_f_g_h');
    assert.equal(names.get('about'), 'about~2');
    assert.equal(names.get('History'), 'History~2');
    assert.equal(names.get('items'), 'items~2');
  });
});

describe('xlsx destination', () => {
  test('workbook: About first, one sheet per table, typed cells, frozen bold header, autofilter, widths', async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'out', 'clockify.xlsx'); // the folder is created
      const dest = createXlsxDestination(path, { now: () => NOW });
      await dest.open();
      await dest.ensureTables(TABLES);
      await dest.setRunInfo({ workspaces: [{ id: 'w1', name: 'Acme Ltd' }, 'w2'], range: { from: '2024-01-01', to: '2024-02-01' }, mode: 'full' });
      await dest.recordRun({ runId: 'run-7', startedAt: new Date('2024-06-01T11:59:00Z'), endedAt: null, status: 'running', mode: 'full', rowsPerTable: {}, requests: 12 });
      const tx = await dest.begin();
      await tx.write('items', [item(1), item(2, { name: '=SUM(A1:A2) "quoted"\ttab\nnew line 🎉', flag: true, price: '0.1', day: '2024-12-31' })]);
      await tx.write('items__tags', [tag(1, 'a')]);
      tx.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: { since: 'x' }, updatedAt: NOW }]);
      await tx.commit();
      await dest.close();

      const wb = await readWorkbook(path);
      assert.deepEqual(wb.worksheets.map((w) => w.name), ['About', 'items', 'items__tags']);
      const ws = wb.getWorksheet('items')!;
      assert.equal(ws.views[0].state, 'frozen');
      assert.equal((ws.views[0] as { ySplit?: number }).ySplit, 1);
      assert.ok(ws.autoFilter, 'autofilter set');
      const header = (ws.getRow(1).values as unknown[]).slice(1);
      assert.deepEqual(header, ['id', 'workspace_id', 'name', 'n', 'amount', 'price', 'flag', 'at', 'day', 'meta', '_loaded_at', '_deleted_at']);
      assert.equal(ws.getRow(1).getCell(1).font?.bold, true);
      const r = ws.getRow(3); // item 2
      assert.equal(r.getCell('A').value, 'i000002');
      assert.equal(r.getCell('C').value, '=SUM(A1:A2) "quoted"\ttab\nnew line 🎉', 'a leading = stays text, not a formula');
      assert.equal(r.getCell('D').value, 20);
      assert.equal(r.getCell('E').value, 2.25);
      assert.equal(r.getCell('F').value, 0.1);
      assert.equal(r.getCell('G').value, true);
      assert.deepEqual(r.getCell('H').value, new Date(Date.UTC(2024, 0, 3, 9, 30, 15)));
      assert.equal(r.getCell('H').numFmt, 'yyyy-mm-dd hh:mm:ss');
      assert.deepEqual(r.getCell('I').value, new Date(Date.UTC(2024, 11, 31)));
      assert.equal(r.getCell('I').numFmt, 'yyyy-mm-dd');
      assert.deepEqual(JSON.parse(r.getCell('J').value as string), item(2).meta);
      assert.deepEqual(r.getCell('K').value, NOW);
      assert.equal(r.getCell('L').value, null);
      for (let c = 1; c <= 12; c++) {
        const w = ws.getColumn(c).width ?? 9; // exceljs leaves out columns of its default width, 9
        assert.ok(w >= 8 && w <= 60, `column ${c} width ${w}`);
      }
      assert.ok(ws.getColumn('C').width! > ws.getColumn('G').width!, 'wider text column');

      const about = sheetText(wb.getWorksheet('About')!);
      assert.match(about, /Written at \(UTC\) \| 2024-06-01T12:00:00.000Z/);
      assert.match(about, /Workspaces \| Acme Ltd \(w1\), w2/);
      assert.match(about, /Date range \| 2024-01-01 → 2024-02-01/);
      assert.match(about, /Last run \| run-7 — running/);
      assert.match(about, /items \| items \| 2 \| 0 \| 10/);
      assert.match(about, /items \| w1 \| — \| 2024-06-01T12:00:00.000Z/);
    } finally {
      await cleanup();
    }
  });

  test('incremental sync merges into the existing workbook; runs recorded after commit reach About on close', async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      let dest = createXlsxDestination(path, { now: () => NOW });
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1), item(2), item(3)] });
      await dest.close();
      const later = new Date('2024-06-02T00:00:00.000Z');
      dest = createXlsxDestination(path, { now: () => later });
      await dest.open();
      await dest.ensureTables(TABLES);
      const c = await load(dest, { items: [item(2, { name: 'renamed' }), item(4)] });
      assert.deepEqual(c.items, { inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
      await dest.recordRun({ runId: 'r2', startedAt: later, endedAt: later, status: 'succeeded', mode: 'incremental', rowsPerTable: { items: 2 }, requests: 4 });
      await dest.close();
      const ws = (await readWorkbook(path)).getWorksheet('items')!;
      assert.equal(ws.rowCount, 5);
      assert.deepEqual([2, 3, 4, 5].map((r) => ws.getRow(r).getCell('C').value), ['item 1', 'renamed', 'item 3', 'item 4']);
      assert.deepEqual(ws.getRow(2).getCell('K').value, NOW, 'unchanged row keeps _loaded_at');
      assert.deepEqual(ws.getRow(3).getCell('K').value, later);
      assert.match(sheetText((await readWorkbook(path)).getWorksheet('About')!), /Last run \| r2 — succeeded/);
      // only the workbook and its two companion files remain: no temporary files
      assert.deepEqual((await readdir(dir)).sort(), ['c.xlsx', 'c.xlsx.runs.json', 'c.xlsx.sync.jsonl.gz']);
    } finally {
      await cleanup();
    }
  });

  test('a commit that changes nothing leaves the files untouched', async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      const dest = createXlsxDestination(path);
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1), item(2)] });
      await dest.flush();
      const before = [(await stat(path)).mtimeMs, (await stat(`${path}.sync.jsonl.gz`)).mtimeMs];
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual((await load(dest, { items: [item(2), item(1)] })).items, { inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
      assert.deepEqual([(await stat(path)).mtimeMs, (await stat(`${path}.sync.jsonl.gz`)).mtimeMs], before);
      await load(dest, { items: [item(3)] });
      assert.notEqual((await stat(`${path}.sync.jsonl.gz`)).mtimeMs, before[1], 'the commit saved the data');
      assert.equal((await stat(path)).mtimeMs, before[0], 'the workbook is rendered at close, not at every commit');
      await dest.close();
      assert.notEqual((await stat(path)).mtimeMs, before[0]);
      assert.equal((await readWorkbook(path)).getWorksheet('items')!.rowCount, 4);
    } finally {
      await cleanup();
    }
  });

  test("text over Excel's 32,767 characters is cut in the workbook only and the About sheet says so", async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      const long = 'é'.repeat(40_000);
      const dest = createXlsxDestination(path, { now: () => NOW });
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1, { name: long })] });
      const [back] = await readAll(dest, 'items');
      assert.equal(back.name, long, 'the store keeps the whole text');
      await dest.close();
      const wb = await readWorkbook(path);
      const cell = wb.getWorksheet('items')!.getRow(2).getCell('C').value as string;
      assert.equal(cell.length, EXCEL_MAX_CELL_CHARS);
      assert.ok(cell.endsWith('…'));
      assert.match(sheetText(wb.getWorksheet('About')!), /1 cell\(s\) longer than Excel's 32767 characters were cut/);
    } finally {
      await cleanup();
    }
  });

  test("a table over the sheet's row limit is refused at commit; the previous workbook and data stay", async () => {
    assert.equal(XLSX_MAX_DATA_ROWS, 1_048_575);
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      const dest = createXlsxDestination(path, { now: () => NOW, maxRowsPerSheet: 3 });
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1), item(2)] });
      await dest.flush();
      const before = await stat(path);
      await assert.rejects(load(dest, { items: [item(3), item(4)] }), (e: SyncError) =>
        e.code === 'XLSX_TOO_MANY_ROWS' && /"items" would have 4 rows, more than the 3/.test(e.message) && /csv:|parquet:/.test(e.hint ?? ''));
      assert.deepEqual((await readAll(dest, 'items')).map((r) => r.id), ['i000001', 'i000002']);
      assert.equal((await stat(path)).mtimeMs, before.mtimeMs, 'workbook untouched');
      assert.deepEqual((await readdir(dir)).sort(), ['c.xlsx', 'c.xlsx.sync.jsonl.gz']);
      await dest.close();
    } finally {
      await cleanup();
    }
  });

  test('a type change is reported as type-mismatch and the stored type is kept', async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      let dest = createXlsxDestination(path);
      await dest.open();
      await dest.ensureTables(TABLES);
      await dest.close();
      dest = createXlsxDestination(path);
      await dest.open();
      const changed: TableSchema = { ...TABLES[0], columns: TABLES[0].columns.map((c) => (c.name === 'n' ? { ...c, type: 'text' as const } : c)) };
      const changes = await dest.ensureTables([changed]);
      assert.deepEqual(changes.map((c) => [c.kind, c.column]), [['type-mismatch', 'n']]);
      await load(dest, { items: [item(1, { n: 5 })] });
      assert.equal((await readAll(dest, 'items'))[0].n, 5);
      await dest.close();
    } finally {
      await cleanup();
    }
  });

  test('without its data file the workbook starts over (state included), so the next sync is a full one', async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-');
    try {
      const path = join(dir, 'c.xlsx');
      let dest = createXlsxDestination(path);
      await dest.open();
      await dest.ensureTables(TABLES);
      const tx = await dest.begin();
      await tx.write('items', [item(1)]);
      tx.setState([{ workspaceId: 'w1', stream: 'items', partition: '', cursor: 'c', updatedAt: NOW }]);
      await tx.commit();
      await dest.close();
      await rm(`${path}.sync.jsonl.gz`);
      dest = createXlsxDestination(path);
      await dest.open();
      assert.deepEqual(await dest.readState(), []);
      assert.deepEqual((await dest.ensureTables(TABLES)).map((c) => c.kind), ['created', 'created']);
      await dest.close();
      assert.equal((await readWorkbook(path)).getWorksheet('items')!.rowCount, 1, 'header only');
    } finally {
      await cleanup();
    }
  });

  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice', '/usr/local/bin/soffice'].find((p) => existsSync(p));
  test('LibreOffice opens the workbook and reads every sheet', { skip: soffice ? false : 'LibreOffice not installed (apt-get install libreoffice-calc-nogui)', timeout: 60_000 }, async () => {
    const { dir, cleanup } = await tempDir('cs-xlsx-lo-');
    try {
      const path = join(dir, 'clockify.xlsx');
      const dest = createXlsxDestination(path, { now: () => NOW });
      await dest.open();
      await dest.ensureTables(TABLES);
      await load(dest, { items: [item(1), item(2, { name: 'Zoë "q", tab\there 🎉 \u0001ctl' })], items__tags: [tag(2, 'b')] });
      await dest.close();
      const out = join(dir, 'csv');
      await promisify(execFile)(soffice!, [
        `-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--convert-to',
        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', out, path,
      ], { timeout: 50_000 });
      const files = (await readdir(out)).sort();
      assert.deepEqual(files, ['clockify-About.csv', 'clockify-items.csv', 'clockify-items__tags.csv']);
      const items = await readFile(join(out, 'clockify-items.csv'), 'utf8');
      const lines = items.trim().split('\n');
      assert.equal(lines[0], 'id,workspace_id,name,n,amount,price,flag,at,day,meta,_loaded_at,_deleted_at');
      assert.match(lines[1], /^i000001,w2,item 1,10,1.25,1234.5,FALSE,2024-01-02 09:30:15,2024-02-02,/);
      assert.match(lines[2], /^i000002,w1,"Zoë ""q"", tab\there 🎉 ctl",20,2.25,1234.5,FALSE,2024-01-03 09:30:15,2024-02-03,/);
      assert.match(await readFile(join(out, 'clockify-About.csv'), 'utf8'), /Written at \(UTC\),2024-06-01 12:00:00/);
    } finally {
      await cleanup();
    }
  });
});
