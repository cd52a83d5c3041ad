import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveReportRange } from '../src/dates/report-range.ts';
import { SyncError } from '../src/errors.ts';
import { fetchDetailedReport, fetchSummaryReport, fetchWeeklyReport, type ReportClient } from '../src/reports/report-fetch.ts';
import { parseReportOptions } from '../src/reports/report-options.ts';
import { rangeKey, reportReconcileScope, reportTableSchemas, REPORT_TABLES } from '../src/reports/report-tables.ts';

type Body = Record<string, any>;
/** A fake Reports API: answers with `respond(path, body)` and records the calls. */
function fakeClient(respond: (path: string, body: Body) => unknown): ReportClient & { calls: { path: string; body: Body }[] } {
  const calls: { path: string; body: Body }[] = [];
  return {
    calls,
    async post(path, body) {
      calls.push({ path, body: body as Body });
      return structuredClone(respond(path, body as Body));
    },
  };
}

const amounts = (earned: number, cost: number) => [
  { type: 'EARNED', value: earned },
  { type: 'COST', value: cost },
  { type: 'PROFIT', value: earned - cost },
];
const node = (id: string, name: string, duration: number, earned: number, cost: number, children?: unknown[]) => ({
  _id: id, name, duration, amount: earned, amounts: amounts(earned, cost), ...(children ? { children } : {}),
});

test('summary: one row per leaf with its group path, seconds and hours, amounts in currency units', async () => {
  const o = parseReportOptions({ groups: 'PROJECT,USER,DATE', timeZone: 'Europe/Berlin' });
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'Europe/Berlin' });
  const report = {
    totals: [{ totalTime: 9000, totalAmount: 25050, amounts: amounts(25050, 6000), totalAmountByCurrency: [{ currency: 'EUR', amount: 25050 }] }],
    groupOne: [
      node('p1', 'Website', 9000, 25050, 6000, [
        node('u1', 'Ann', 5400, 15030, 3600, [node('2026-11-02', '2026-11-02', 3600, 10020, 2400), node('2026-11-03', '2026-11-03', 1800, 5010, 1200)]),
        node('u2', 'Bo', 3600, 10020, 2400, [node('2026-11-02', '2026-11-02', 3600, 10020, 2400)]),
      ]),
    ],
  };
  const client = fakeClient(() => report);
  const out = await fetchSummaryReport(client, { workspaceId: 'ws1', range, options: o, maxDays: 31 });
  assert.equal(client.calls.length, 1);
  assert.equal(client.calls[0].path, '/workspaces/ws1/reports/summary');
  assert.deepEqual(out.warnings, []);
  const rows = out.tables[0].rows;
  assert.equal(out.tables[0].schema.name, 'report_summary');
  assert.equal(rows.length, 3);
  const r = rows.find((x) => x.group2_id === 'u1' && x.group3_id === '2026-11-03')!;
  assert.deepEqual(
    { ...r, range_start: (r.range_start as Date).toISOString(), range_end: (r.range_end as Date).toISOString() },
    {
      workspace_id: 'ws1',
      report_range: '2026-11-01T00:00:00.000+01:00/2026-12-01T00:00:00.000+01:00',
      range_start: '2026-10-31T23:00:00.000Z',
      range_end: '2026-11-30T23:00:00.000Z',
      time_zone: 'Europe/Berlin',
      group1_type: 'PROJECT', group1_id: 'p1', group1_name: 'Website',
      group2_type: 'USER', group2_id: 'u1', group2_name: 'Ann',
      group3_type: 'DATE', group3_id: '2026-11-03', group3_name: '2026-11-03',
      duration_seconds: 1800,
      duration_hours: 0.5,
      amount: 50.1, amount_type: 'EARNED', earned_amount: 50.1, cost_amount: 12, profit_amount: 38.1,
      currency: 'EUR',
    },
  );
  assert.deepEqual(out.scope, { equals: { workspace_id: 'ws1', report_range: rangeKey(range) } });
});

test('summary: totals that do not match the rows are reported', async () => {
  const o = parseReportOptions({ groups: 'PROJECT' });
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-11-08' });
  const client = fakeClient(() => ({ totals: [{ totalTime: 7300, totalAmount: 999 }], groupOne: [node('p1', 'A', 3600, 500, 0), node('p2', 'B', 3600, 400, 0)] }));
  const out = await fetchSummaryReport(client, { workspaceId: 'w', range, options: o, maxDays: null });
  assert.equal(out.warnings.length, 2);
  assert.match(out.warnings[0], /7200 s .* 7300 s/);
  assert.match(out.warnings[1], /amounts add up to 9 .* 9\.99/);
  // [null] totals (empty reports) are not a mismatch.
  const empty = await fetchSummaryReport(fakeClient(() => ({ totals: [null], groupOne: [] })), { workspaceId: 'w', range, options: o, maxDays: null });
  assert.deepEqual(empty.warnings, []);
  assert.equal(empty.tables[0].rows.length, 0);
});

test('summary: a range longer than the plan allows is split and the chunks merged', async () => {
  const o = parseReportOptions({ groups: 'PROJECT,USER' });
  const range = resolveReportRange({ start: '2026-01-01', end: '2026-03-04' }); // 62 days
  const client = fakeClient((_p, body) => {
    const first = body.dateRangeStart.startsWith('2026-01-01');
    return {
      totals: [{ totalTime: first ? 5400 : 3600 }],
      groupOne: [
        node('p1', 'A', first ? 3600 : 1800, first ? 1000 : 500, 0, [node('u1', 'Ann', first ? 3600 : 1800, first ? 1000 : 500, 0)]),
        node(first ? 'p2' : 'p3', first ? 'B' : 'C', 1800, 250, 100, [node('u1', 'Ann', 1800, 250, 100)]),
      ],
    };
  });
  const out = await fetchSummaryReport(client, { workspaceId: 'w', range, options: o, maxDays: 31 });
  assert.deepEqual(client.calls.map((c) => [c.body.dateRangeStart, c.body.dateRangeEnd]), [
    ['2026-01-01T00:00:00.000', '2026-01-31T23:59:59.999'],
    ['2026-02-01T00:00:00.000', '2026-03-03T23:59:59.999'],
  ]);
  assert.equal(out.requests, 2);
  assert.deepEqual(out.warnings, []);
  const rows = out.tables[0].rows.map((r) => [r.group1_id, r.duration_seconds, r.earned_amount, r.cost_amount]);
  assert.deepEqual(rows.sort(), [['p1', 5400, 15, 0], ['p2', 1800, 2.5, 1], ['p3', 1800, 2.5, 1]]);
  for (const r of out.tables[0].rows) assert.equal(r.report_range, '2026-01-01T00:00:00.000Z/2026-03-04T00:00:00.000Z');
});

function entry(i: number, extra: Record<string, unknown> = {}) {
  return {
    _id: `e${String(i).padStart(5, '0')}`,
    description: `entry ${i}`,
    billable: i % 2 === 0,
    userId: 'u1', userName: 'Ann', userEmail: 'ann@example.com',
    projectId: '', projectName: '', clientId: '', clientName: '', taskId: '', taskName: '',
    tags: i % 3 === 0 ? [{ id: 't1', name: 'one' }, { id: 't2', name: 'two' }] : [],
    timeInterval: { start: '2026-11-02T23:30:00+13:00', end: '2026-11-03T00:30:00+13:00', duration: 60 },
    isLocked: false,
    amount: 100, earnedAmount: 100, costAmount: 40, rate: 6000, earnedRate: 6000, costRate: 2400, currency: 'NZD',
    ...extra,
  };
}

function pagedDetailed(total: number, opts: { countShift?: number } = {}) {
  return fakeClient((_p, body) => {
    const { page, pageSize } = body.detailedFilter;
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - (page - 1) * pageSize)) }, (_, k) => entry((page - 1) * pageSize + k));
    return { totals: [{ totalTime: total * 60, entriesCount: total + (opts.countShift ?? 0), totalAmount: total * 100 }], timeentries: items };
  });
}

test('detailed: paged at 1000 until a short page; every entry once; totals checked', async () => {
  const o = parseReportOptions({ timeZone: 'Pacific/Auckland' });
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'Pacific/Auckland' });
  for (const [total, requests] of [[0, 1], [999, 1], [1000, 2], [2500, 3], [3000, 4]] as const) {
    const client = pagedDetailed(total);
    const out = await fetchDetailedReport(client, { workspaceId: 'w', range, options: o, maxDays: 31 });
    assert.equal(client.calls.length, requests, `${total} entries`);
    assert.deepEqual(client.calls.map((c) => c.body.detailedFilter.page), Array.from({ length: requests }, (_, i) => i + 1));
    assert.equal(out.tables[0].rows.length, total);
    assert.equal(new Set(out.tables[0].rows.map((r) => r.id)).size, total);
    assert.equal(out.tables[1].rows.length, 2 * Math.ceil(total / 3));
    assert.deepEqual(out.warnings, []);
  }
  const off = await fetchDetailedReport(pagedDetailed(1500, { countShift: 1 }), { workspaceId: 'w', range, options: o, maxDays: 31 });
  assert.equal(off.warnings.length, 1);
  assert.match(off.warnings[0], /1500 entries read but the report counts 1501/);
});

test('detailed: a server that repeats a page is refused instead of looping', async () => {
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-11-02' });
  const page = { totals: [null], timeentries: Array.from({ length: 1000 }, (_, i) => entry(i)) };
  await assert.rejects(
    fetchDetailedReport(fakeClient(() => page), { workspaceId: 'w', range, options: parseReportOptions(), maxDays: null }),
    (e: unknown) => e instanceof SyncError && e.code === 'REPORT_PAGING_LOOP',
  );
});

test('detailed: one row per entry with every field; tags in the child table', async () => {
  const o = parseReportOptions({ timeZone: 'Pacific/Auckland' });
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'Pacific/Auckland' });
  const e = entry(3, { projectId: 'p1', projectName: 'Web', projectColor: '#03A9F4', invoicingInfo: { invoiced: false }, customFields: [{ customFieldId: 'cf', value: 'X' }], approvalRequestId: null });
  const out = await fetchDetailedReport(fakeClient(() => ({ totals: [{ totalTime: 60, entriesCount: 1 }], timeentries: [e, entry(4, { tags: ['alpha'] })] })), { workspaceId: 'w', range, options: o, maxDays: 31 });
  assert.match(out.warnings.join(), /120 s .* 60 s/);
  const [row] = out.tables[0].rows;
  assert.equal(row.id, 'e00003');
  assert.equal(row.project_id, 'p1');
  assert.equal(row.client_id, null); // '' from the API is missing
  assert.equal(row.billable, false);
  assert.equal((row.start as Date).toISOString(), '2026-11-02T10:30:00.000Z');
  assert.equal((row.end as Date).toISOString(), '2026-11-02T11:30:00.000Z');
  assert.equal(row.start_date, '2026-11-02'); // the calendar day in the report's zone
  assert.equal(row.duration_seconds, 60);
  assert.equal(row.amount, 1);
  assert.equal(row.earned_amount, 1);
  assert.equal(row.cost_amount, 0.4);
  assert.equal(row.profit_amount, 0.6);
  assert.equal(row.rate, 60);
  assert.equal(row.cost_rate, 24);
  assert.equal(row.currency, 'NZD');
  assert.deepEqual(row.custom_fields, [{ customFieldId: 'cf', value: 'X' }]);
  assert.deepEqual(row.extra, { invoicingInfo: { invoiced: false } });
  assert.deepEqual(
    out.tables[1].rows.map((t) => [t.entry_id, t.tag_index, t.tag_id, t.tag_name]),
    [['e00003', 0, 't1', 'one'], ['e00003', 1, 't2', 'two'], ['e00004', 0, null, 'alpha']],
  );
  assert.equal(out.tables[1].rows[0].report_range, row.report_range);
});

test('weekly: 7-day windows on the week start, one row per group, subgroup and day with time, inside the range', async () => {
  const o = parseReportOptions({ weeklyGroup: 'PROJECT', weekStart: 'SUNDAY', amounts: 'cost' });
  const range = resolveReportRange({ start: '2026-11-03', end: '2026-11-12' }); // Tue 3rd … Wed 11th
  const client = fakeClient((_p, body) => {
    const start = body.dateRangeStart.slice(0, 10);
    const dates = Array.from({ length: 7 }, (_, i) => new Date(Date.parse(`${start}T00:00:00Z`) + i * 86400000).toISOString().slice(0, 10));
    const days = dates.map((date) => ({ date, duration: 3600, amount: 250 }));
    return {
      totals: [{ totalTime: 7 * 3600 + 7 * 1800, totalAmount: 7 * 250 + 7 * 100 }],
      groupOne: [
        { _id: 'p1', name: 'Web', duration: 7 * 3600, days, children: [{ _id: 'u1', name: 'Ann', duration: 7 * 3600, days }] },
        { _id: 'p2', name: 'Ops', duration: 7 * 1800, days: dates.map((date) => ({ date, duration: 1800, amount: 100 })) },
        { _id: 'p3', name: 'Idle', duration: 0, days: dates.map((date) => ({ date, duration: 0, amount: 0 })) },
      ],
    };
  });
  const out = await fetchWeeklyReport(client, { workspaceId: 'w', range, options: o, maxDays: 31 });
  assert.deepEqual(client.calls.map((c) => [c.body.dateRangeStart, c.body.dateRangeEnd, c.body.weeklyFilter.group]), [
    ['2026-11-01T00:00:00.000', '2026-11-07T23:59:59.999', 'PROJECT'],
    ['2026-11-08T00:00:00.000', '2026-11-14T23:59:59.999', 'PROJECT'],
  ]);
  assert.deepEqual(out.warnings, []);
  const rows = out.tables[0].rows;
  const dates = [...new Set(rows.map((r) => r.date))].sort();
  assert.deepEqual(dates, ['2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08', '2026-11-09', '2026-11-10', '2026-11-11']);
  assert.equal(rows.length, 9 * 2); // p1/u1 and p2 per day; p3 has no time
  const web = rows.find((r) => r.group_id === 'p1' && r.date === '2026-11-05')!;
  assert.equal(web.group_type, 'PROJECT');
  assert.equal(web.subgroup_type, 'USER');
  assert.equal(web.subgroup_id, 'u1');
  assert.equal(web.duration_hours, 1);
  assert.equal(web.amount, 2.5);
  assert.equal(web.amount_type, 'COST');
  assert.equal(web.cost_amount, 2.5);
  assert.equal(web.earned_amount, null);
  const ops = rows.find((r) => r.group_id === 'p2')!;
  assert.equal(ops.subgroup_type, '');
  assert.equal(ops.subgroup_id, '');
});

test('table schemas: keys exist and include the range; child keys point at the parent key', () => {
  for (const kind of ['summary', 'detailed', 'weekly'] as const) {
    for (const t of reportTableSchemas(kind)) {
      const names = new Set(t.columns.map((c) => c.name));
      assert.equal(names.size, t.columns.length, `${t.name}: duplicate column`);
      for (const k of t.primaryKey) {
        assert.ok(names.has(k), `${t.name}.${k}`);
        assert.equal(t.columns.find((c) => c.name === k)!.nullable, false, `${t.name}.${k} nullable`);
      }
      assert.ok(t.primaryKey.includes('report_range') && t.primaryKey.includes('workspace_id'));
    }
  }
  const [parent, child] = reportTableSchemas('detailed');
  assert.equal(child.name, REPORT_TABLES.detailedTags);
  assert.equal(child.parent!.table, parent.name);
  assert.deepEqual(parent.primaryKey, ['workspace_id', 'report_range', 'id']);
  assert.deepEqual(child.parent!.columns, ['workspace_id', 'report_range', 'entry_id']);
  const range = resolveReportRange({ start: '2026-11-01', end: '2026-12-01', timeZone: 'Asia/Kolkata' });
  assert.deepEqual(reportReconcileScope('w1', range), { equals: { workspace_id: 'w1', report_range: '2026-11-01T00:00:00.000+05:30/2026-12-01T00:00:00.000+05:30' } });
});
