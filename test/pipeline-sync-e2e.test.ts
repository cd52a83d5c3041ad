/**
 * Issue 3 end to end: a full sync of a seeded simulator account into DuckDB, compared table by
 * table and row by row with the simulator's own dataset (awkward cases included); a second
 * sync changes no row; and a sync through 429s, 5xx, dropped connections and truncated JSON
 * ends with exactly the same tables.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import type { Destination } from '../src/destinations/destination.ts';
import { createDuckDBDestination, type DuckDBDestination } from '../src/destinations/duckdb.ts';
import { createDestination } from '../src/destinations/index.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { runSync } from '../src/pipeline/run-sync.ts';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.ts';

const NOW = '2026-11-20T12:00:00Z';

async function readAll(dest: Destination, table: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const r of dest.readTable(table)) rows.push(r);
  return rows;
}

/** Rows without the load metadata, keyed for comparison. */
function comparable(rows: Row[]): string[] {
  return rows
    .map((r) => {
      const { _loaded_at, ...rest } = r;
      return JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    })
    .sort();
}

function byId(rows: Row[]): Map<string, Row> {
  return new Map(rows.map((r) => [String(r.id), r]));
}

describe('full sync of the simulator into DuckDB', () => {
  let sim: RunningSimulator;
  let dest: DuckDBDestination;
  let firstRequests = 0;
  /** Time-entry pages the first sync loaded as raw JSON. */
  let rawPages = 0;
  const tables = new Map<string, Row[]>();

  before(async () => {
    sim = await startSimulator({ port: 0, seed: 11, workspaces: 2, users: 14, projects: 9, entries: 4000, now: NOW });
    const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
    dest = createDuckDBDestination(':memory:');
    const result = await runSync({ client, destination: dest, log: () => {} });
    assert.equal(result.error, undefined, String(result.error?.message));
    assert.equal(result.status, 'succeeded');
    rawPages = dest.stats().flatPages;
    firstRequests = result.requests;
    for (const t of ['workspaces', 'users', 'users__memberships', 'projects', 'projects__memberships', 'clients', 'tags', 'tasks', 'tasks__assignees', 'user_groups', 'user_groups__users', 'time_entries', 'time_entries__tags', 'time_entries__custom_field_values', 'custom_fields', 'holidays']) {
      tables.set(t, await readAll(dest, t));
    }
  });

  after(async () => {
    await dest?.close();
    await sim?.close();
  });

  test('every time entry of every workspace arrives once, with its interval, rates and ids', () => {
    const rows = byId(tables.get('time_entries')!);
    let expected = 0;
    for (const ws of sim.sim.store.workspaces()) {
      for (const e of sim.sim.store.timeEntries(ws.id)) {
        expected++;
        const r = rows.get(e.id);
        assert.ok(r, `entry ${e.id} missing`);
        assert.equal(r.workspace_id, ws.id);
        assert.equal(r.user_id, e.userId);
        assert.equal(r.project_id, e.projectId);
        assert.equal(r.task_id, e.taskId);
        assert.equal(r.description, e.description);
        assert.equal(r.billable, e.billable);
        assert.equal(r.type, e.type);
        assert.equal(r.is_locked, e.isLocked);
        assert.equal((r.time_interval__start as Date).getTime(), e.start);
        if (e.end === null) {
          assert.equal(r.time_interval__end, null, 'a running timer has no end');
        } else {
          assert.equal((r.time_interval__end as Date).getTime(), e.end);
          assert.equal(r.time_interval__duration_seconds, (e.end - e.start) / 1000);
        }
        assert.equal(r.hourly_rate__amount ?? null, e.hourlyRate?.amount ?? null);
        assert.equal(r.cost_rate__amount ?? null, e.costRate?.amount ?? null);
      }
    }
    assert.equal(rows.size, expected, 'no extra or duplicate rows');
    assert.equal(tables.get('time_entries')!.length, expected);
  });

  test('awkward cases survive: multi-byte text, emoji, quotes, newlines, running timers, entries without project or tags', () => {
    const rows = tables.get('time_entries')!;
    assert.ok(rows.some((r) => /[^\x00-\x7f]/.test(String(r.description))), 'multi-byte text');
    assert.ok(rows.some((r) => /\p{Extended_Pictographic}/u.test(String(r.description))), 'emoji');
    assert.ok(rows.some((r) => String(r.description).includes('\n')), 'newline');
    assert.ok(rows.some((r) => String(r.description).includes('"')), 'quote');
    assert.ok(rows.some((r) => r.time_interval__end === null), 'running timer');
    assert.ok(rows.some((r) => r.project_id === null), 'entry without project');
    const tagged = new Set(tables.get('time_entries__tags')!.map((t) => t.time_entry_id));
    assert.ok(rows.some((r) => !tagged.has(r.id)), 'entry without tags');
  });

  test('child tables hold exactly the lists of their parents', () => {
    const tags = tables.get('time_entries__tags')!;
    const cfv = tables.get('time_entries__custom_field_values')!;
    const tagsOf = new Map<string, string[]>();
    for (const t of tags) (tagsOf.get(String(t.time_entry_id)) ?? tagsOf.set(String(t.time_entry_id), []).get(String(t.time_entry_id))!).push(String(t.tag_id));
    const cfvOf = new Map<string, Row[]>();
    for (const v of cfv) (cfvOf.get(String(v.time_entry_id)) ?? cfvOf.set(String(v.time_entry_id), []).get(String(v.time_entry_id))!).push(v);
    for (const ws of sim.sim.store.workspaces()) {
      for (const e of sim.sim.store.timeEntries(ws.id)) {
        assert.deepEqual((tagsOf.get(e.id) ?? []).sort(), [...e.tagIds].sort(), `tags of ${e.id}`);
        const values = cfvOf.get(e.id) ?? [];
        assert.equal(values.length, e.customFieldValues.length, `custom-field values of ${e.id}`);
        for (const v of e.customFieldValues) {
          const row = values.find((x) => x.custom_field_id === v.customFieldId);
          assert.ok(row, `value of field ${v.customFieldId} on ${e.id}`);
        }
      }
    }
    const assignees = tables.get('tasks__assignees')!;
    for (const ws of sim.sim.store.workspaces()) {
      for (const task of sim.sim.store.tasks(ws.id)) {
        const got = assignees.filter((a) => a.task_id === task.id).map((a) => a.user_id).sort();
        assert.deepEqual(got, [...task.assigneeIds].sort(), `assignees of task ${task.id}`);
      }
    }
    const members = tables.get('user_groups__users')!;
    for (const ws of sim.sim.store.workspaces()) {
      for (const g of sim.sim.store.userGroups(ws.id)) {
        assert.deepEqual(members.filter((m) => m.user_group_id === g.id).map((m) => m.user_id).sort(), [...g.userIds].sort());
      }
    }
  });

  test('entities include archived ones and users of every status, each row carrying its workspace', () => {
    for (const ws of sim.sim.store.workspaces()) {
      const projects = tables.get('projects')!.filter((p) => p.workspace_id === ws.id);
      assert.deepEqual(projects.map((p) => p.id).sort(), sim.sim.store.projects(ws.id).map((p) => p.id).sort());
      assert.ok(projects.some((p) => p.archived === true), 'archived project');
      const clients = tables.get('clients')!.filter((c) => c.workspace_id === ws.id);
      assert.deepEqual(clients.map((c) => c.id).sort(), sim.sim.store.clients(ws.id).map((c) => c.id).sort());
      const tags = tables.get('tags')!.filter((t) => t.workspace_id === ws.id);
      assert.deepEqual(tags.map((t) => t.id).sort(), sim.sim.store.tags(ws.id).map((t) => t.id).sort());
      const tasks = tables.get('tasks')!.filter((t) => t.workspace_id === ws.id);
      assert.deepEqual(tasks.map((t) => t.id).sort(), sim.sim.store.tasks(ws.id).map((t) => t.id).sort());
      const users = tables.get('users')!.filter((u) => u.workspace_id === ws.id);
      assert.deepEqual(users.map((u) => u.id).sort(), sim.sim.store.members(ws.id).map((m) => m.userId).sort(), 'every member, inactive and limited included');
      const cf = tables.get('custom_fields')!.filter((c) => c.workspace_id === ws.id);
      assert.equal(cf.length, sim.sim.store.customFields(ws.id).length);
      const holidays = tables.get('holidays')!.filter((h) => h.workspace_id === ws.id);
      assert.equal(holidays.length, sim.sim.store.holidays(ws.id).length);
    }
    const users = tables.get('users')!;
    const statuses = new Set(users.map((u) => u.status));
    assert.ok(statuses.has('LIMITED') || statuses.has('INACTIVE') || statuses.size > 1, `several account statuses (${[...statuses]})`);
    const memberships = tables.get('users__memberships')!;
    assert.ok(memberships.some((m) => m.membership_status === 'INACTIVE'), 'inactive memberships kept');
    for (const [name, rows] of tables) {
      if (name === 'workspaces') continue;
      for (const r of rows) assert.equal(typeof r.workspace_id, 'string', `${name} rows carry workspace_id`);
    }
  });

  test('columns follow the naming and typing rules', () => {
    const e = tables.get('time_entries')![0];
    for (const col of ['time_interval__start', 'time_interval__end', 'time_interval__duration', 'time_interval__duration_seconds', 'hourly_rate__amount', 'workspace_id']) {
      assert.ok(col in e, `time_entries.${col}`);
    }
    const p = tables.get('projects')![0];
    assert.ok('hourly_rate__amount' in p, 'projects.hourly_rate__amount');
    const u = tables.get('users')!.find((x) => x.settings__week_start !== null);
    assert.ok(u, 'users.settings__week_start');
    assert.ok(tables.get('time_entries')!.every((r) => r.time_interval__start instanceof Date));
  });

  test('time-entry pages loaded raw by DuckDB give exactly the tables of pages parsed and normalized in JavaScript', async () => {
    // The simulator's pages fit the schema, so DuckDB read them (the comparisons above are of that path).
    assert.ok(rawPages > 0, `raw pages loaded: ${rawPages}`);
    const parsed = createDuckDBDestination(':memory:');
    try {
      const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
      const result = await runSync({ client, destination: parsed, log: () => {}, rawPages: false });
      assert.equal(result.error, undefined, String(result.error?.message));
      assert.equal(parsed.stats().flatPages, 0);
      for (const [name, rows] of tables) {
        assert.deepEqual(comparable(await readAll(parsed, name)), comparable(rows), `table ${name}`);
      }
    } finally {
      await parsed.close();
    }
  });

  test('a second full sync of unchanged data changes no row and uses the same requests', async () => {
    const before = comparable(tables.get('time_entries')!);
    const loadedAt = new Map(tables.get('time_entries')!.map((r) => [r.id, (r._loaded_at as Date).getTime()]));
    const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
    const again = await runSync({ client, destination: dest, log: () => {}, mode: 'full' });
    assert.equal(again.error, undefined);
    for (const [table, c] of Object.entries(again.tables)) {
      assert.equal(c.inserted, 0, `${table}: nothing inserted`);
      assert.equal(c.updated, 0, `${table}: nothing updated`);
      assert.equal(c.deleted, 0, `${table}: nothing deleted`);
    }
    const rows = await readAll(dest, 'time_entries');
    assert.deepEqual(comparable(rows), before);
    for (const r of rows) assert.equal((r._loaded_at as Date).getTime(), loadedAt.get(r.id), '_loaded_at did not move');
    assert.equal(again.requests, firstRequests);
  });

  test('the run is recorded in _clockify_sync_runs with rows and requests', async () => {
    const runs = await readAll(dest, '_clockify_sync_runs');
    assert.equal(runs.length, 2);
    for (const r of runs) {
      assert.equal(r.status, 'succeeded');
      assert.ok(Number(r.requests) > 0);
      assert.ok(r.ended_at instanceof Date);
    }
  });

  test('an unknown workspace id is a configuration error that writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clockify-e2e-'));
    try {
      const file = join(dir, 'never.duckdb');
      const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: sim.url }), apiKey: sim.keys.owner, requestsPerSecond: 0 });
      const result = await runSync({ client, destination: createDestination(`duckdb:${file}`), workspaces: ['ffffffffffffffffffffffff'], log: () => {} });
      assert.equal(result.error?.code, 'WORKSPACE_UNKNOWN');
      assert.equal(result.error?.exitCode, 2);
      assert.match(String(result.error?.hint), new RegExp(sim.sim.store.workspaces()[0].id));
      assert.equal(existsSync(file), false, 'the destination was not created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('through 429s, 5xx, dropped connections and truncated JSON the tables come out identical', async () => {
    const faulty = await startSimulator({
      port: 0, seed: 11, workspaces: 2, users: 14, projects: 9, entries: 4000, now: NOW,
      faults: { errorRate: 0.15, dropRate: 0.1, truncateRate: 0.1, rateLimit: { perSecond: 40, retryAfter: true }, seed: 5 },
    });
    const second = createDestination('duckdb::memory:');
    try {
      const client = createClockifyClient({
        hosts: resolveHosts({ baseUrl: faulty.url }), apiKey: faulty.keys.owner, requestsPerSecond: 0, maxRetries: 12,
        backoff: { baseMs: 5, capMs: 50 },
      });
      const result = await runSync({ client, destination: second, log: () => {} });
      assert.equal(result.error, undefined, String(result.error?.message));
      assert.ok(client.retryCount > 0, 'faults were hit and retried');
      for (const [name, rows] of tables) {
        assert.deepEqual(comparable(await readAll(second, name)), comparable(rows), `table ${name}`);
      }
    } finally {
      await second.close();
      await faulty.close();
    }
  });
});
