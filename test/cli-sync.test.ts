/**
 * `clockify-sync sync` end to end through the CLI: report streams inside a sync, and a member's
 * key that may not read other users' entries finishing "incomplete" with exit status 3.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Row } from '../src/normalize/table-schema.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { runCli } from './cli-harness.ts';

let sim: RunningSimulator;
let dir: string;

before(async () => {
  sim = await startSimulator({ port: 0, seed: 8, workspaces: 1, users: 8, projects: 5, entries: 1200, now: '2026-11-20T12:00:00Z' });
  dir = mkdtempSync(join(tmpdir(), 'clockify-cli-sync-'));
});

after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Rows of a table of a DuckDB file, read with DuckDB itself. */
async function readTable(spec: string, table: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(spec.replace(/^duckdb:/, ''));
  const con = await db.connect();
  try {
    return (await con.runAndReadAll(`SELECT * FROM "${table}"`)).getRowObjectsJS() as Row[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

test('sync --streams with report streams writes the report tables next to the entity tables', async () => {
  const spec = `duckdb:${join(dir, 'reports.duckdb')}`;
  const run = await runCli(
    ['sync', '--base-url', sim.url, '--destination', spec, '--streams', 'projects,report_summary,report_detailed', '--now', '2026-11-20T12:00:00Z'],
    { CLOCKIFY_API_KEY: sim.keys.owner },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '', 'nothing but requested data on stdout');
  assert.match(run.stderr, /report_summary/);
  const summary = await readTable(spec, 'report_summary');
  const detailed = await readTable(spec, 'report_detailed');
  assert.ok(summary.length > 0 && detailed.length > 0);
  // The default range: from one month ago (start of that day) to the coming midnight, in the owner's zone.
  const ws = sim.sim.store.workspaces()[0];
  const from = Date.parse('2026-10-19T22:00:00Z'); // 2026-10-20 00:00 Europe/Berlin
  const to = Date.parse('2026-11-20T23:00:00Z'); // 2026-11-21 00:00 Europe/Berlin
  const expected = [...sim.sim.store.timeEntries(ws.id, { from, to })].filter((e) => e.end !== null).length; // reports leave running timers out
  assert.equal(detailed.length, expected, 'every entry of the range, once');
  assert.equal((await readTable(spec, 'projects')).length, sim.sim.store.projects(ws.id).length);
});

test("a member's key: other users' entries are skipped with a warning, the run ends incomplete (exit status 3)", async () => {
  const spec = `duckdb:${join(dir, 'member.duckdb')}`;
  const run = await runCli(['sync', '--base-url', sim.url, '--destination', spec, '--streams', 'users,time_entries'], { CLOCKIFY_API_KEY: sim.keys.member });
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /time_entries of \w+ in workspace \w+ skipped: FORBIDDEN/);
  assert.match(run.stderr, /incomplete: time_entries/);
  const entries = await readTable(spec, 'time_entries');
  const memberId = sim.sim.resolveKey('api-key', sim.keys.member)!.userId;
  assert.ok(entries.length > 0, "the member's own entries arrive");
  assert.ok(entries.every((e) => e.user_id === memberId), 'and nobody else’s');
  const runs = await readTable(spec, '_clockify_sync_runs');
  assert.equal(runs.at(-1)?.status, 'incomplete');
});

test('time-entry pages are flattened to CSV and loaded by DuckDB, unless CLOCKIFY_RAW_PAGES=0; the tables are the same', async () => {
  const tables: Row[][] = [];
  for (const env of [{}, { CLOCKIFY_RAW_PAGES: '0' }]) {
    const spec = `duckdb:${join(dir, `raw-${tables.length}.duckdb`)}`;
    const run = await runCli(['sync', '--base-url', sim.url, '--destination', spec, '--streams', 'users,time_entries', '--verbose'], { CLOCKIFY_API_KEY: sim.keys.owner, ...env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(/flattened to CSV, and the destination loads it/.test(run.stderr), tables.length === 0, run.stderr);
    assert.doesNotMatch(run.stderr, /unknown variable|CLOCKIFY_RAW_PAGES is not/i);
    tables.push((await readTable(spec, 'time_entries')).map(({ _loaded_at, ...r }) => r).sort((a, b) => String(a.id).localeCompare(String(b.id))));
  }
  assert.ok(tables[0].length > 0);
  assert.deepEqual(tables[1], tables[0]);
});
