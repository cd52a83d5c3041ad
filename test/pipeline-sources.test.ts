/**
 * Issue 4 item 5: the per-user endpoint and the Detailed report fill identical `time_entries`
 * tables and child tables. The report's values are converted back to the main API's units and
 * UTC; what the report cannot say is listed in REPORT_UNDERIVABLE and shown here explicitly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPORT_UNDERIVABLE, isoDurationFromSeconds, reportEntryToApi } from '../src/extract/index.ts';
import type { Row } from '../src/normalize/table-schema.ts';
import { assertSameTables, liveRows, memoryDuckDB, setupSim, sync } from './support/pipeline-harness.ts';

const DAY = 86_400_000;
const TE_TABLES = ['time_entries', 'time_entries__tags', 'time_entries__custom_field_values'];

test('both sources give the same time_entries and child tables, row for row (paid and FREE workspaces)', async (t) => {
  const s = setupSim({ workspaces: 2, users: 10, entries: 2000 });
  const now = () => new Date(s.sim.now());
  const startDate = new Date(s.sim.now() - 2 * 365 * DAY);
  const byUsers = memoryDuckDB();
  const byReport = memoryDuckDB();
  try {
    const u = await sync(s, byUsers, { now, mode: 'full', startDate, timeEntriesSource: 'users' });
    const r = await sync(s, byReport, { now, mode: 'full', startDate, timeEntriesSource: 'report' });
    for (const ws of Object.keys(r.timeEntries)) assert.equal(r.timeEntries[ws].source, 'report');
    t.diagnostic(`requests: users source ${u.requests}, report source ${r.requests} (the FREE workspace's report is read in 31-day chunks)`);
    const rows = await liveRows(byReport, 'time_entries');
    assert.equal(rows.size, [...s.sim.store.workspaces()].reduce((n, w) => n + s.sim.store.countTimeEntries(w.id), 0));
    assert.ok([...rows.values()].some((x) => x.time_interval__end === null), 'running timers come from the in-progress endpoint');
    await assertSameTables(byUsers, byReport, 'users vs report', TE_TABLES);
  } finally {
    await byUsers.close();
    await byReport.close();
  }
});

test('what the report cannot say: rates changed since an entry was written, deleted projects', async () => {
  const s = setupSim({ entries: 800 });
  const ws = s.sim.store.workspaceList[0].id;
  const now = () => new Date(s.sim.now());
  const startDate = new Date(s.sim.now() - 2 * 365 * DAY);
  // A non-billable entry on a project whose own rate decides; the project's rate then changes.
  const entries = [...s.sim.store.timeEntries(ws)];
  const project = s.sim.store.projects(ws).find((p) => p.hourlyRate && entries.some((e) => e.projectId === p.id && !e.billable && !e.taskId && !p.memberships.some((m) => m.userId === e.userId && m.hourlyRate)))!;
  assert.ok(project, 'the dataset has such a project');
  s.sim.updateEntity('projects', project.id, { hourlyRate: (project.hourlyRate!.amount as number) + 1234 });
  const orphan = s.sim.store.projects(ws).find((p) => p.id !== project.id && entries.some((e) => e.projectId === p.id))!;
  s.sim.deleteEntity('projects', orphan.id);

  const byUsers = memoryDuckDB();
  const byReport = memoryDuckDB();
  try {
    await sync(s, byUsers, { now, mode: 'full', startDate, timeEntriesSource: 'users' });
    await sync(s, byReport, { now, mode: 'full', startDate, timeEntriesSource: 'report' });
    const a = await liveRows(byUsers, 'time_entries');
    const b = await liveRows(byReport, 'time_entries');
    const byId = (m: Map<string, Row>) => new Map([...m.values()].map((r) => [String(r.id), r]));
    const ua = byId(a);
    const rb = byId(b);
    assert.equal(ua.size, rb.size);
    const differing = new Map<string, string[]>();
    for (const [id, x] of ua) {
      const y = rb.get(id)!;
      const cols = Object.keys(x).filter((c) => JSON.stringify(x[c]) !== JSON.stringify(y[c]));
      if (cols.length) differing.set(id, cols);
    }
    // Every difference is one the report cannot resolve: entries of the deleted project (the
    // report names no project, so the rate resolves without it) and non-billable entries of the
    // re-rated project (today's rate instead of the rate the entry was written with).
    for (const [id, cols] of differing) {
      const e = s.sim.store.timeEntry(id)!;
      if (e.projectId === orphan.id) {
        assert.ok(cols.includes('project_id') && cols.every((c) => ['project_id', 'task_id', 'hourly_rate__amount', 'cost_rate__amount'].includes(c)), `${id}: ${cols}`);
        assert.equal(rb.get(id)!.project_id, null);
      } else {
        assert.equal(e.projectId, project.id, `${id} differs in ${cols}`);
        assert.equal(e.billable, false);
        assert.deepEqual(cols, ['hourly_rate__amount']);
        assert.equal(rb.get(id)!.hourly_rate__amount, project.hourlyRate!.amount);
      }
    }
    assert.ok([...differing.keys()].some((id) => s.sim.store.timeEntry(id)!.projectId === project.id), 'the re-rated project shows the limit');
    assert.ok([...differing.keys()].some((id) => s.sim.store.timeEntry(id)!.projectId === orphan.id), 'the deleted project shows the limit');
    assert.ok(REPORT_UNDERIVABLE.some((x) => x.includes('hourly_rate')) && REPORT_UNDERIVABLE.some((x) => x.includes('was deleted')));
  } finally {
    await byUsers.close();
    await byReport.close();
  }
});

test('report entry conversion: units, UTC, ids, tags, custom fields', () => {
  const api = reportEntryToApi(
    {
      _id: 'e1', description: 'd', billable: true, userId: 'u1', projectId: '', taskId: '', type: 'REGULAR', isLocked: true,
      tags: [{ id: 't1', name: 'A' }, { id: 't2', name: 'B' }],
      timeInterval: { start: '2026-08-08T10:15:00+12:00', end: '2026-08-08T11:45:30+12:00', duration: 5430 },
      earnedRate: 4321.0, costRate: 0, currency: 'EUR',
      customFields: [{ customFieldId: 'c1', name: 'Ticket', type: 'TXT', value: 'X-1' }],
    },
    'w1',
  );
  assert.deepEqual(api, {
    id: 'e1', description: 'd', userId: 'u1', workspaceId: 'w1', projectId: null, taskId: null, tagIds: ['t1', 't2'], billable: true,
    isLocked: true, type: 'REGULAR', kioskId: null,
    timeInterval: { start: '2026-08-07T22:15:00Z', end: '2026-08-07T23:45:30Z', duration: 'PT1H30M30S' },
    hourlyRate: { amount: 4321, currency: 'EUR' }, costRate: null,
    customFieldValues: [{ customFieldId: 'c1', timeEntryId: 'e1', name: 'Ticket', type: 'TIMEENTRY', value: 'X-1' }],
  });
  assert.equal(isoDurationFromSeconds(0), 'PT0S');
  assert.equal(isoDurationFromSeconds(8 * 3600), 'PT8H');
  assert.equal(isoDurationFromSeconds(61), 'PT1M1S');
});
