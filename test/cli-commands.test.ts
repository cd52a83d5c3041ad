/**
 * The commands of issue 7 (check, discover, preview, report, state, --help) run in-process
 * through main(argv) against a loopback simulator: happy paths, output on stdout, exit statuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDestination } from '../src/destinations/index.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';
import { runCli } from './cli-harness.ts';

let sim: RunningSimulator;
let dir: string;
let ws0: string;
let ws1: string;
const NOW = '2026-11-23T12:00:00Z';

before(async () => {
  sim = await startSimulator({ port: 0, seed: 3, workspaces: 2, users: 10, projects: 8, entries: 1500, now: NOW });
  [ws0, ws1] = sim.sim.store.workspaces().map((w) => w.id);
  dir = mkdtempSync(join(tmpdir(), 'cli-commands-'));
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const owner = () => ({ CLOCKIFY_API_KEY: sim.keys.owner, CLOCKIFY_BASE_URL: sim.url });

async function readAll(spec: string, table: string): Promise<Row[]> {
  const d = createDestination(spec);
  await d.open();
  try {
    const rows: Row[] = [];
    for await (const r of d.readTable(table)) rows.push(r);
    return rows;
  } finally {
    await d.close();
  }
}

describe('check', () => {
  test('owner key: every workspace with role OWNER, plan limits, exit 0', async () => {
    const r = await runCli(['check'], owner());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the key works/);
    for (const id of [ws0, ws1]) assert.match(r.stdout, new RegExp(`${id}.*OWNER`));
    assert.match(r.stdout, /30 API requests per hour per workspace/);
    assert.doesNotMatch(r.stdout, /will be incomplete/);
  });

  test('--json: roles per key (owner, admin, member) and the incomplete streams of a member', async () => {
    const roles: Record<string, string[]> = {};
    for (const [who, key] of [['owner', sim.keys.owner], ['admin', sim.keys.admin], ['member', sim.keys.member]] as const) {
      const r = await runCli(['check', '--json'], { CLOCKIFY_API_KEY: key, CLOCKIFY_BASE_URL: sim.url });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      roles[who] = out.workspaces.map((w: { role: string }) => w.role);
      if (who === 'member') {
        assert.equal(out.user.timeZone, 'Asia/Tokyo');
        for (const w of out.workspaces) assert.ok(w.incomplete.some((g: { stream: string }) => g.stream === 'time_entries'));
      } else for (const w of out.workspaces) assert.deepEqual(w.incomplete, []);
      const free = out.workspaces.filter((w: { plan: string }) => /^FREE/i.test(w.plan));
      for (const w of free) assert.equal(w.maxReportDays, 31);
    }
    assert.deepEqual(roles, { owner: ['OWNER', 'OWNER'], admin: ['ADMIN', 'ADMIN'], member: ['MEMBER', 'MEMBER'] });
  });

  test('--workspace limits the list; an unknown id is a configuration error (exit 2) naming the visible ones', async () => {
    const one = await runCli(['check', '--json', '--workspace', ws1], owner());
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout).workspaces.map((w: { id: string }) => w.id), [ws1]);
    const bad = await runCli(['check', '--workspace', 'ffffffffffffffffffffffff'], owner());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error \[WORKSPACE_UNKNOWN\]: Workspace ffffffffffffffffffffffff is not visible/);
    assert.match(bad.stderr, new RegExp(ws0));
    assert.equal(bad.stdout, '');
  });
  test('a config file with several sources: each is checked; a broken one is reported without hiding the others (exit 1)', async () => {
    const file = join(dir, 'agency.yaml');
    writeFileSync(
      file,
      ['owner:KEY_A', 'broken:KEY_B', 'member:KEY_C'].map((s) => s.split(':')).reduce((y, [name, v]) => y + `  - name: ${name}\n    apiKeyEnv: ${v}\n    baseUrl: ${sim.url}\n`, 'sources:\n'),
    );
    const r = await runCli(['check', '--config', file, '--json'], { KEY_A: sim.keys.owner, KEY_B: 'revoked-key', KEY_C: sim.keys.member });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { source: string; workspaces: { role: string }[] }[];
    assert.deepEqual(out.map((c) => [c.source, c.workspaces[0].role]), [['owner', 'OWNER'], ['member', 'MEMBER']]);
    assert.match(r.stderr, /source broken: error \[AUTH_REJECTED\]/);
  });
});

describe('discover', () => {
  test('readable catalog without a key: every stream, child tables, report tables', async () => {
    const r = await runCli(['discover']);
    assert.equal(r.code, 0, r.stderr);
    for (const t of ['time_entries', 'time_entries__tags', 'projects', 'report_summary', 'report_detailed__tags', 'report_weekly']) {
      assert.match(r.stdout, new RegExp(`table ${t} `));
    }
    assert.match(r.stdout, /child of report_detailed by workspace_id, report_range, entry_id/);
    assert.equal(r.stderr, '');
  });

  test('--json: tables with columns, types, primary keys and parents', async () => {
    const r = await runCli(['discover', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const catalog = JSON.parse(r.stdout) as { name: string; kind: string; parentStream?: string; tables: { name: string; primaryKey: string[]; parent?: { table: string }; columns: { name: string; type: string }[] }[] }[];
    const te = catalog.find((s) => s.name === 'time_entries')!;
    assert.equal(te.parentStream, 'users');
    const main = te.tables[0];
    assert.equal(main.name, 'time_entries');
    for (const k of main.primaryKey) assert.ok(main.columns.some((c) => c.name === k), `key ${k} is a column`);
    assert.equal(main.columns.find((c) => c.name === 'time_interval__start')?.type, 'timestamptz');
    assert.equal(te.tables.find((t) => t.name === 'time_entries__tags')?.parent?.table, 'time_entries');
    assert.deepEqual(catalog.filter((s) => s.kind === 'report').map((s) => s.name), ['report_summary', 'report_detailed', 'report_weekly']);
  });

  test('--stream filters; an unknown stream is exit 2 with a suggestion', async () => {
    const r = await runCli(['discover', '--json', '--stream', 'tags']);
    assert.deepEqual(JSON.parse(r.stdout).map((s: { name: string }) => s.name), ['tags']);
    const bad = await runCli(['discover', '--stream', 'tagz']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CONFIG_UNKNOWN_STREAM.*did you mean "tags"/);
  });
});

describe('preview', () => {
  test('an entity stream: the first rows as the API lists them, nothing written', async () => {
    const dest = join(dir, 'preview.duckdb');
    const r = await runCli(['preview', 'projects', '--limit', '3', '--json', '--workspace', ws0], { ...owner(), CLOCKIFY_DESTINATION: `duckdb:${dest}` });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const res = await sim.app.app.request(`/api/v1/workspaces/${ws0}/projects?page-size=5000`, { headers: { 'X-Api-Key': sim.keys.owner } });
    const api = (await res.json()) as { id: string; name: string }[];
    const byId = new Map(api.map((p) => [p.id, p.name]));
    assert.equal(out.tables.projects.length, 3);
    for (const p of out.tables.projects as Row[]) assert.equal(p.name, byId.get(String(p.id)), `project ${p.id} as the API has it`);
    assert.ok(out.tables.projects.every((p: Row) => p.workspace_id === ws0));
    assert.ok('projects__memberships' in out.tables);
    assert.equal(existsSync(dest), false, 'preview must not create the destination');
    assert.match(r.stderr, /nothing written/);
  });

  test('table view on stdout; time entries stop at --limit', async () => {
    const r = await runCli(['preview', 'time_entries', '--limit', '4'], owner());
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2 + 4, 'header, rule and 4 rows');
    assert.match(lines[0], /^workspace_id\s+id\s+/);
  });

  test('a report: rows carry the range and the zone asked for', async () => {
    const r = await runCli(['preview', 'report_summary', '--json', '--start', '2026-10-01', '--end', '2026-11-01', '--time-zone', 'UTC', '--limit', '5'], owner());
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout).tables.report_summary as Row[];
    assert.ok(rows.length > 0 && rows.length <= 5);
    for (const row of rows) {
      assert.equal(row.time_zone, 'UTC');
      assert.equal(row.range_start, '2026-10-01T00:00:00.000Z');
      assert.equal(row.range_end, '2026-11-01T00:00:00.000Z');
    }
    assert.match(r.stderr, /Time zone UTC \(--time-zone\)/);
  });

  test('an unknown stream is exit 2 before any request', async () => {
    const before = sim.app.stats.total;
    const r = await runCli(['preview', 'projcts'], owner());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CONFIG_UNKNOWN_STREAM.*did you mean "projects"/);
    assert.equal(sim.app.stats.total, before, 'no request was made');
  });
});

describe('report', () => {
  test('summary into DuckDB states the zone; a rerun over the same range replaces its rows; another range adds', async () => {
    const spec = `duckdb:${join(dir, 'report.duckdb')}`;
    const args = ['report', 'summary', '--destination', spec, '--start', '2026-10-01', '--end', '2026-11-01', '--groups', 'PROJECT,USER'];
    const first = await runCli(args, owner());
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '', 'nothing on stdout');
    assert.match(first.stderr, /Time zone Europe\/Berlin \(the key owner's profile\)/);
    const rows1 = await readAll(spec, 'report_summary');
    assert.ok(rows1.length > 0);
    assert.deepEqual(new Set(rows1.map((r) => r.workspace_id)), new Set([ws0, ws1]));

    const again = await runCli(args, owner());
    assert.equal(again.code, 0, again.stderr);
    const rows2 = await readAll(spec, 'report_summary');
    assert.equal(rows2.length, rows1.length, 'same range: replaced, not added');
    assert.match(again.stderr, /report_summary\s+0\s+0\s+\d+\s+0/, 'every row unchanged');

    const other = await runCli(['report', 'summary', '--destination', spec, '--start', '2026-09-01', '--end', '2026-10-01', '--groups', 'PROJECT,USER'], owner());
    assert.equal(other.code, 0, other.stderr);
    const rows3 = await readAll(spec, 'report_summary');
    assert.ok(rows3.length > rows1.length);
    assert.equal(rows3.filter((r) => String(r.report_range).startsWith('2026-10-01')).length, rows1.length);
  });

  test('detailed (with tags child table) and weekly into JSONL, --time-zone and macros', async () => {
    const out = join(dir, 'jsonl');
    const d = await runCli(['report', 'detailed', '--destination', `jsonl:${out}`, '--start', '{{lastmonthstart}}', '--end', '{{thismonthstart}}', '--now', NOW, '--time-zone', 'UTC', '--workspace', ws0], owner());
    assert.equal(d.code, 0, d.stderr);
    const w = await runCli(['report', 'weekly', '--destination', `jsonl:${out}`, '--start', '2026-11-02', '--end', '2026-11-16', '--weekly-group', 'PROJECT', '--time-zone', 'UTC', '--workspace', ws0], owner());
    assert.equal(w.code, 0, w.stderr);
    const rows = await readAll(`jsonl:${out}`, 'report_detailed');
    const expected = [...sim.sim.store.timeEntries(ws0)].filter((e) => {
      const s = e.start;
      return e.end !== null && s >= Date.parse('2026-10-01T00:00:00Z') && s < Date.parse('2026-11-01T00:00:00Z');
    }).length;
    assert.equal(rows.length, expected, 'one row per entry of October (UTC)');
    assert.ok(rows.every((r) => r.time_zone === 'UTC'));
    assert.ok((await readAll(`jsonl:${out}`, 'report_weekly')).length > 0);
    assert.ok(readdirSync(out).some((f) => f.startsWith('report_detailed__tags')));
  });

  test('bad options are configuration errors (exit 2) that write nothing', async () => {
    const dest = join(dir, 'never.duckdb');
    for (const [args, code] of [
      [['report', 'summary', '--groups', 'PROJECT,USER,DATE,TAG'], /REPORT_GROUPS_INVALID.*at most 3/],
      [['report', 'summary', '--amounts', 'earnd'], /REPORT_OPTION_INVALID.*EARNED/],
      [['report', 'summary', '--start', '{{lastweeek}}'], /MACRO|macro/],
      [['report', 'summary', '--time-zone', 'Mars/Olympus'], /zone|ZONE/],
      [['report', 'monthly'], /REPORT_KIND_INVALID/],
      [['report', 'summary', '--workspace', 'ffffffffffffffffffffffff'], /WORKSPACE_UNKNOWN/],
    ] as [string[], RegExp][]) {
      const r = await runCli([...args, '--destination', `duckdb:${dest}`], owner());
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, code);
      assert.equal(existsSync(dest), false, `${args.join(' ')} must not create the destination`);
    }
  });
});

describe('state', () => {
  test('show lists the state of a sync; reset by stream and workspace removes exactly those', async () => {
    const spec = `duckdb:${join(dir, 'state.duckdb')}`;
    const sync = await runCli(['sync', '--streams', 'tags,clients', '--destination', spec, '--quiet'], owner());
    assert.equal(sync.code, 0, sync.stderr);
    const shown = await runCli(['state', 'show', '--destination', spec, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const records = JSON.parse(shown.stdout) as { stream: string; workspaceId: string }[];
    assert.deepEqual(records.map((r) => `${r.workspaceId}/${r.stream}`).sort(), [`${ws0}/clients`, `${ws0}/tags`, `${ws1}/clients`, `${ws1}/tags`].sort());
    const table = await runCli(['state', 'show', '--destination', spec]);
    assert.match(table.stdout, /^workspace\s+stream\s+partition\s+cursor\s+updated_at/);

    const reset = await runCli(['state', 'reset', '--destination', spec, '--stream', 'tags', '--workspace', ws0]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, /removed 1 state record/);
    const after1 = JSON.parse((await runCli(['state', 'show', '--destination', spec, '--json'])).stdout) as { stream: string; workspaceId: string }[];
    assert.equal(after1.length, 3);
    assert.ok(!after1.some((r) => r.workspaceId === ws0 && r.stream === 'tags'));

    const all = await runCli(['state', 'reset', '--destination', spec]);
    assert.match(all.stderr, /removed 3 state records/);
    assert.deepEqual(JSON.parse((await runCli(['state', 'show', '--destination', spec, '--json'])).stdout), []);
  });

  test('a destination file that does not exist is not created; an unknown stream is exit 2', async () => {
    const missing = join(dir, 'missing.duckdb');
    const r = await runCli(['state', 'show', '--destination', `duckdb:${missing}`]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /No sync state yet/);
    assert.equal(existsSync(missing), false);
    const bad = await runCli(['state', 'reset', '--destination', `duckdb:${missing}`, '--stream', 'time_entry']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CONFIG_UNKNOWN_STREAM.*did you mean "time_entries"/);
  });
});

test('--help of every command shows examples (exit 0)', async () => {
  for (const cmd of [['check'], ['discover'], ['preview'], ['report'], ['state'], ['state', 'show'], ['state', 'reset'], ['schedule'], ['sync'], ['macro'], ['simulator']]) {
    const r = await runCli([...cmd, '--help']);
    assert.equal(r.code, 0, cmd.join(' '));
    assert.match(r.stdout, /Examples:\n\s+(\S+=\S+ )?clockify-sync /, `${cmd.join(' ')} --help has examples`);
  }
});
