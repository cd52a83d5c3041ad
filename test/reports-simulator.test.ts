/**
 * The three reports against the simulator's Reports API, checked against sums computed here,
 * independently, from the simulator's ground-truth dataset (its store of time entries).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { startSimulator } from '../src/simulator/server.ts';
import type { TimeEntry } from '../src/simulator/model.ts';
import { createClockifyClient } from '../src/clockify/client.ts';
import { resolveHosts } from '../src/clockify/hosts.ts';
import { maxReportDays, resolveReportRange, type ReportRange } from '../src/dates/report-range.ts';
import { fetchReport } from '../src/reports/report-fetch.ts';
import { createFetchReportClient, reportClientFromClockify } from '../src/reports/report-client.ts';
import { parseReportOptions } from '../src/reports/report-options.ts';
import { createDuckDBDestination } from '../src/destinations/duckdb.ts';
import { SyncError } from '../src/errors.ts';

const NOW = '2026-11-23T12:00:00Z';
const { app, sim } = createSimulator({ seed: 7, now: NOW });
const [pro, free] = sim.store.workspaces();
const inProcess = (u: string, i: RequestInit) => Promise.resolve(app.request(u, i));
const client = createClockifyClient({ hosts: resolveHosts({ baseUrl: 'http://sim.local' }), apiKey: sim.keys.owner, requestsPerSecond: 0, fetch: inProcess });
const reports = reportClientFromClockify(client);

// ---- ground truth, from the dataset --------------------------------------------------------
const seconds = (e: TimeEntry) => Math.round((e.end! - e.start) / 1000);
const earnedCents = (e: TimeEntry) => (e.billable ? ((e.hourlyRate?.amount ?? 0) * seconds(e)) / 3600 : 0);
const costCents = (e: TimeEntry) => ((e.costRate?.amount ?? 0) * seconds(e)) / 3600;
function truth(workspaceId: string, range: ReportRange): TimeEntry[] {
  const from = range.start.toMillis();
  const to = range.end.toMillis();
  return [...sim.store.timeEntries(workspaceId)].filter((e) => e.end !== null && e.start >= from && e.start < to);
}
function sumBy<T>(items: T[], key: (t: T) => string, value: (t: T) => number): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + value(it));
  return m;
}
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('the ground truth covers inactive members and entries without a project', () => {
  const range = resolveReportRange({ start: '2026-01-01', end: '2026-11-01', timeZone: 'Europe/Berlin' });
  const entries = truth(pro.id, range);
  const inactive = new Set(sim.store.members(pro.id).filter((m) => m.status === 'INACTIVE').map((m) => m.userId));
  assert.ok(entries.some((e) => inactive.has(e.userId)), 'no entries by inactive members');
  assert.ok(entries.some((e) => e.projectId === null), 'no entries without project');
});

test('summary PROJECT,USER in Europe/Berlin: per-user and per-project seconds and amounts match the dataset', async () => {
  const options = parseReportOptions({ groups: 'PROJECT,USER', timeZone: 'Europe/Berlin' });
  const range = resolveReportRange({ start: '2026-01-01', end: '2026-11-01', timeZone: 'Europe/Berlin' });
  const out = await fetchReport('summary', reports, { workspaceId: pro.id, range, options, maxDays: maxReportDays({ plan: pro.plan, features: pro.features }) });
  assert.equal(out.requests, 1);
  assert.deepEqual(out.warnings, []);
  const rows = out.tables[0].rows;
  const entries = truth(pro.id, range);
  const rowSum = (k: 'group1_id' | 'group2_id') => sumBy(rows, (r) => String(r[k]), (r) => Number(r.duration_seconds));
  const byUser = sumBy(entries, (e) => e.userId, seconds);
  assert.deepEqual(new Map([...rowSum('group2_id')].sort()), new Map([...byUser].sort()));
  const byProject = rowSum('group1_id');
  for (const [projectId, s] of sumBy(entries.filter((e) => e.projectId), (e) => e.projectId!, seconds)) assert.equal(byProject.get(projectId), s, projectId);
  const total = entries.reduce((s, e) => s + seconds(e), 0);
  assert.equal(rows.reduce((s, r) => s + Number(r.duration_seconds), 0), total);
  close(rows.reduce((s, r) => s + Number(r.duration_hours), 0), total / 3600, 1e-6, 'hours');
  close(rows.reduce((s, r) => s + Number(r.earned_amount), 0), entries.reduce((s, e) => s + earnedCents(e), 0) / 100, 0.05, 'earned');
  close(rows.reduce((s, r) => s + Number(r.cost_amount), 0), entries.reduce((s, e) => s + costCents(e), 0) / 100, 0.05, 'cost');
  assert.ok(rows.every((r) => r.currency === pro.currencyCode && r.time_zone === 'Europe/Berlin' && r.group3_type === ''));
});

test('summary DATE on the FREE plan: split into 31-day chunks, merged, per-day seconds match in Pacific/Auckland', async () => {
  const options = parseReportOptions({ groups: 'DATE', timeZone: 'Pacific/Auckland', amounts: 'cost' });
  const range = resolveReportRange({ start: '2026-05-01', end: '2026-08-01', timeZone: 'Pacific/Auckland' });
  const maxDays = maxReportDays({ plan: free.plan, features: free.features });
  assert.equal(maxDays, 31);
  const out = await fetchReport('summary', reports, { workspaceId: free.id, range, options, maxDays });
  assert.equal(out.requests, 3);
  assert.deepEqual(out.warnings, []);
  const entries = truth(free.id, range);
  const byDay = sumBy(entries, (e) => DateTime.fromMillis(e.start, { zone: 'Pacific/Auckland' }).toISODate()!, seconds);
  const rows = out.tables[0].rows;
  assert.deepEqual(new Map(rows.map((r): [string, number] => [String(r.group1_id), Number(r.duration_seconds)]).sort()), new Map([...byDay].sort()));
  close(rows.reduce((s, r) => s + Number(r.amount), 0), entries.reduce((s, e) => s + costCents(e), 0) / 100, 0.05, 'cost');
  assert.ok(rows.every((r) => r.amount_type === 'COST'));
  // The same range in one request is refused by the FREE plan: chunking is what makes it work.
  await assert.rejects(fetchReport('summary', reports, { workspaceId: free.id, range, options, maxDays: null }), (e: unknown) => e instanceof SyncError);
});

test('detailed: paged at 1000, every entry once with its tags, totals match the dataset', async () => {
  const options = parseReportOptions({ timeZone: 'America/New_York' });
  const range = resolveReportRange({ start: '2025-11-01', end: '2026-11-01', timeZone: 'America/New_York' });
  const entries = truth(pro.id, range);
  assert.ok(entries.length > 2000, `only ${entries.length} entries`);
  const before = client.requestCount;
  const out = await fetchReport('detailed', reports, { workspaceId: pro.id, range, options, maxDays: 366 });
  assert.equal(client.requestCount - before, Math.floor(entries.length / 1000) + 1);
  assert.deepEqual(out.warnings, []);
  const [main, tags] = out.tables;
  assert.deepEqual(main.rows.map((r) => r.id).sort(), entries.map((e) => e.id).sort());
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const r of main.rows) {
    const e = byId.get(String(r.id))!;
    assert.equal(r.duration_seconds, seconds(e));
    assert.equal((r.start as Date).getTime(), e.start);
    assert.equal((r.end as Date).getTime(), e.end);
    assert.equal(r.user_id, e.userId);
    assert.equal(r.project_id, e.projectId);
    assert.equal(r.billable, e.billable);
    assert.equal(r.start_date, DateTime.fromMillis(e.start, { zone: 'America/New_York' }).toISODate());
    close(Number(r.earned_amount), earnedCents(e) / 100, 0.0051, `earned of ${e.id}`);
  }
  assert.equal(tags.rows.length, entries.reduce((s, e) => s + e.tagIds.length, 0));
  const tagKeys = new Set(tags.rows.map((t) => `${t.entry_id}/${t.tag_id}`));
  for (const e of entries) for (const t of e.tagIds) assert.ok(tagKeys.has(`${e.id}/${t}`));
});

test('weekly by USER in Asia/Kolkata: 7-day windows from the week start, per user and day seconds match', async () => {
  const options = parseReportOptions({ weeklyGroup: 'USER', timeZone: 'Asia/Kolkata', weekStart: pro.weekStart });
  const range = resolveReportRange({ start: '2026-09-03', end: '2026-10-08', timeZone: 'Asia/Kolkata' });
  const out = await fetchReport('weekly', reports, { workspaceId: pro.id, range, options, maxDays: 366 });
  assert.deepEqual(out.warnings, []);
  assert.equal(out.windows.length, 6);
  for (const w of out.windows) assert.equal(w.start.weekdayLong?.toUpperCase(), pro.weekStart);
  const entries = truth(pro.id, range);
  const key = (user: string, date: string) => `${user}/${date}`;
  const want = sumBy(entries, (e) => key(e.userId, DateTime.fromMillis(e.start, { zone: 'Asia/Kolkata' }).toISODate()!), seconds);
  const got = sumBy(out.tables[0].rows, (r) => key(String(r.group_id), String(r.date)), (r) => Number(r.duration_seconds));
  assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
  const amountByUser = sumBy(out.tables[0].rows, (r) => String(r.group_id), (r) => Number(r.earned_amount));
  for (const [user, cents] of sumBy(entries, (e) => e.userId, earnedCents)) close(amountByUser.get(user) ?? 0, cents / 100, 0.05, user);
});

test('over loopback HTTP, and a rerun of the same range replaces its rows in a destination', async () => {
  const server = await startSimulator({ seed: 3, now: NOW, entries: 800 });
  const dir = mkdtempSync(join(tmpdir(), 'reports-sim-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const dest = createDuckDBDestination(join(dir, 'r.duckdb'), { config: { threads: '1' } });
  try {
    const ws = server.sim.store.workspaces()[0];
    const http = createFetchReportClient({ baseUrl: `${server.url}/report/v1`, headers: { 'X-Api-Key': server.keys.owner } });
    const options = parseReportOptions({ groups: 'USER,PROJECT' });
    const octRange = resolveReportRange({ start: '2026-10-01', end: '2026-11-01' });
    const sepRange = resolveReportRange({ start: '2026-09-01', end: '2026-10-01' });
    await dest.open();
    const load = async (range: ReportRange) => {
      const out = await fetchReport('detailed', http, { workspaceId: ws.id, range, options, maxDays: 31 });
      await dest.ensureTables(out.tables.map((t) => t.schema));
      const tx = await dest.begin();
      for (const t of out.tables) await tx.write(t.schema.name, t.rows);
      for (const t of out.tables) await tx.reconcile(t.schema.name, out.scope, 'hard');
      await tx.commit();
      return out;
    };
    const count = async (table: string, rangeKey?: string) => {
      let n = 0;
      for await (const r of dest.readTable(table)) if (!rangeKey || r.report_range === rangeKey) n++;
      return n;
    };
    const sep = await load(sepRange);
    const oct = await load(octRange);
    const octKey = String(oct.tables[0].rows[0].report_range);
    const sepKey = String(sep.tables[0].rows[0].report_range);
    const octTruth = [...server.sim.store.timeEntries(ws.id)].filter((e) => e.end !== null && e.start >= octRange.start.toMillis() && e.start < octRange.end.toMillis());
    assert.equal(await count('report_detailed', octKey), octTruth.length);
    const sepCount = await count('report_detailed', sepKey);
    assert.equal(sepCount, sep.tables[0].rows.length);

    // Delete a tagged October entry and rerun October: its row and tags go, September is untouched.
    const victim = octTruth.find((e) => e.tagIds.length > 0)!;
    const tagsBefore = await count('report_detailed__tags', octKey);
    server.sim.deleteTimeEntry(victim.id);
    await load(octRange);
    assert.equal(await count('report_detailed', octKey), octTruth.length - 1);
    assert.equal(await count('report_detailed__tags', octKey), tagsBefore - victim.tagIds.length);
    assert.equal(await count('report_detailed', sepKey), sepCount);
    for await (const r of dest.readTable('report_detailed')) assert.notEqual(r.id, victim.id);
  } finally {
    await dest.close();
    await server.close();
  }
});
