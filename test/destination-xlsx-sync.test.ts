/**
 * End to end: a full and then an incremental sync from the simulator into an Excel workbook
 * give the same tables as the ground truth (a fresh full sync into DuckDB), and the workbook
 * has one sheet per table after About.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createXlsxDestination } from '../src/destinations/xlsx.ts';
import { sheetNames } from '../src/destinations/xlsx-render.ts';
import { tempDir } from './support/destination-fixtures.ts';
import { assertMatchesTruth, setupSim, sync, TABLES } from './support/pipeline-harness.ts';

test('sync from the simulator into an Excel workbook matches the ground truth, full then incremental', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await tempDir('cs-xlsx-sync-');
  const sim = setupSim({ entries: 400, users: 5 });
  const path = join(dir, 'clockify.xlsx');
  try {
    let dest = createXlsxDestination(path);
    await dest.open();
    await sync(sim, dest, { mode: 'full' });
    await dest.close();
    dest = createXlsxDestination(path);
    await dest.open();
    await assertMatchesTruth(sim, dest, 'after a full sync');
    await sync(sim, dest, { mode: 'incremental' });
    await assertMatchesTruth(sim, dest, 'after an incremental sync');
    await dest.close();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const names = wb.worksheets.map((w) => w.name);
    assert.equal(names[0], 'About');
    const expected = sheetNames(TABLES);
    for (const t of TABLES) assert.ok(names.includes(expected.get(t)!), `sheet for ${t}`);
    const entries = wb.getWorksheet('time_entries')!;
    assert.ok(entries.rowCount > 100, 'time entries written');
  } finally {
    await cleanup();
  }
});
