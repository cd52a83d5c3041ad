/**
 * The simulator's Reports API against its own ground truth: every figure is recomputed here
 * from the dataset (`allEntries`) without the report code, then compared with the answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { allEntries } from '../src/simulator/sim-testing.ts';
import type { TimeEntry } from '../src/simulator/model.ts';

const { app, sim } = createSimulator({
  seed: 7, workspaces: 2, users: 8, projects: 6, entries: 1200, now: '2026-08-15T12:00:00Z',
});
const [WS, FREE_WS] = sim.store.workspaces().map((w) => w.id);
const OWNER = sim.keys.owner;
const ownerId = sim.resolveKey('api-key', OWNER)!.userId;
const memberId = sim.resolveKey('api-key', sim.keys.member)!.userId;

async function report(kind: string, body: Record<string, unknown>, opts: { key?: string; ws?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await app.request(`/report/v1/workspaces/${opts.ws ?? WS}/reports/${kind}`, {
    method: 'POST', headers: { 'X-Api-Key': opts.key ?? OWNER, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** [from, to) of a wall-clock range in a zone, end inclusive to the millisecond. */
function range(start: string, end: string, zone: string): { from: number; to: number } {
  return { from: DateTime.fromISO(start, { zone }).toMillis(), to: DateTime.fromISO(end, { zone }).toMillis() + 1 };
}

interface Truth { ids: string[]; entries: TimeEntry[]; seconds: number; billable: number; earned: number; cost: number }
function truth(ws: string, r: { from: number; to: number }, pred: (e: TimeEntry) => boolean = () => true): Truth {
  const entries = allEntries(sim, ws).filter((e) => e.end !== null && e.start >= r.from && e.start < r.to && pred(e));
  let seconds = 0, billable = 0, earned = 0, cost = 0;
  for (const e of entries) {
    const s = (e.end! - e.start) / 1000;
    seconds += s;
    if (e.billable) billable += s;
    if (e.billable) earned += ((e.hourlyRate?.amount ?? 0) * s) / 3600;
    cost += ((e.costRate?.amount ?? 0) * s) / 3600;
  }
  return { ids: entries.map((e) => e.id), entries, seconds, billable, earned, cost };
}

/** Money agrees within a cent per entry (each entry is rounded to 2 decimals). */
function near(actual: number, expected: number, n: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 0.005 * n + 1e-6, `${what}: ${actual} vs ${expected}`);
}

const JUNE = { dateRangeStart: '2026-05-01T00:00:00', dateRangeEnd: '2026-07-31T23:59:59.999', timeZone: 'UTC' };
const JUNE_RANGE = range('2026-05-01T00:00:00', '2026-07-31T23:59:59.999', 'UTC');

test('detailed: all pages together are exactly the range, newest first, with totals that agree', async () => {
  const t = truth(WS, JUNE_RANGE);
  assert.ok(t.ids.length > 100);
  const ids: string[] = [];
  let first: any;
  for (let page = 1; ; page++) {
    const r = await report('detailed', { ...JUNE, detailedFilter: { page, pageSize: 37 } });
    assert.equal(r.status, 200);
    first ??= r.body;
    ids.push(...r.body.timeentries.map((e: any) => e._id));
    if (r.body.timeentries.length < 37) break;
  }
  assert.deepEqual(ids, [...t.ids].reverse(), 'DESCENDING by start (then id) by default, no gaps, no duplicates');
  const totals = first.totals[0];
  assert.equal(totals.entriesCount, t.ids.length);
  assert.equal(totals.totalTime, t.seconds);
  assert.equal(totals.totalBillableTime, t.billable);
  const amount = (type: string) => totals.amounts.find((a: any) => a.type === type).value;
  near(amount('EARNED'), t.earned, t.ids.length, 'earned');
  near(amount('COST'), t.cost, t.ids.length, 'cost');
  near(amount('PROFIT'), t.earned - t.cost, t.ids.length, 'profit');
  assert.equal(totals.totalAmount, amount('EARNED'));

  const asc = await report('detailed', { ...JUNE, sortOrder: 'ASCENDING', detailedFilter: { page: 2, pageSize: 10 } });
  assert.deepEqual(asc.body.timeentries.map((e: any) => e._id), t.ids.slice(10, 20));
  const past = await report('detailed', { ...JUNE, detailedFilter: { page: 1000, pageSize: 50 } });
  assert.deepEqual(past.body.timeentries, []);
  assert.equal(past.body.totals[0].entriesCount, t.ids.length);
});

test('detailed: entry fields, durations in seconds, money in cents, page size limit, totals option, sort columns', async () => {
  const t = truth(WS, JUNE_RANGE);
  const r = await report('detailed', { ...JUNE, detailedFilter: { pageSize: 1000, sortColumn: 'DURATION' }, sortOrder: 'DESCENDING' });
  assert.equal(r.body.timeentries.length, t.ids.length);
  const durations = r.body.timeentries.map((e: any) => e.timeInterval.duration);
  assert.deepEqual(durations, [...durations].sort((a: number, b: number) => b - a));
  const byId = new Map(t.entries.map((e) => [e.id, e]));
  for (const row of r.body.timeentries) {
    const e = byId.get(row._id)!;
    assert.equal(row.timeInterval.duration, (e.end! - e.start) / 1000);
    assert.equal(Date.parse(row.timeInterval.start), e.start);
    assert.equal(row.userName, sim.store.user(e.userId)!.name);
    assert.equal(row.projectId, e.projectId ?? '');
    assert.deepEqual(row.tags.map((x: any) => x.id), e.tagIds);
    const expected = e.billable ? ((e.hourlyRate?.amount ?? 0) * row.timeInterval.duration) / 3600 : 0;
    near(row.earnedAmount, expected, 1, 'entry earned');
    assert.equal(row.currency, 'USD');
  }
  const big = await report('detailed', { ...JUNE, detailedFilter: { pageSize: 1001 } });
  assert.deepEqual(big, { status: 400, body: { message: 'pageSize cannot be greater than 1000', code: 501 } });
  const excluded = await report('detailed', { ...JUNE, detailedFilter: { pageSize: 5, options: { totals: 'EXCLUDE' } } });
  assert.deepEqual(excluded.body.totals, []);
  assert.equal(excluded.body.timeentries.length, 5);
  const empty = await report('detailed', { ...JUNE, description: 'no entry has this text ∅', detailedFilter: {} });
  assert.deepEqual(empty.body, { totals: [null], timeentries: [] });
  const rounded = await report('detailed', { ...JUNE, rounding: true, detailedFilter: { pageSize: 20 } });
  for (const row of rounded.body.timeentries) assert.equal(row.timeInterval.duration % 900, 0);
});

test('time zones: the range is wall clock in timeZone (default: the profile zone), timestamps carry its offset', async () => {
  const desc = 'tz-edge ⏰ near midnight';
  const e = sim.addTimeEntry({ workspaceId: WS, userId: ownerId, description: desc, start: '2026-06-10T12:30:00Z', end: '2026-06-10T13:15:00Z' });
  try {
    const ids = async (body: Record<string, unknown>) =>
      (await report('detailed', { description: desc, detailedFilter: {}, ...body })).body.timeentries as any[];
    const akl = { timeZone: 'Pacific/Auckland' };
    assert.equal((await ids({ ...akl, dateRangeStart: '2026-06-10T00:00:00', dateRangeEnd: '2026-06-10T23:59:59.999' })).length, 0);
    const inAkl = await ids({ ...akl, dateRangeStart: '2026-06-11T00:00:00', dateRangeEnd: '2026-06-11T23:59:59.999' });
    assert.deepEqual(inAkl.map((x) => x._id), [e.id]);
    assert.equal(inAkl[0].timeInterval.start, '2026-06-11T00:30:00+12:00');
    assert.equal(inAkl[0].timeInterval.end, '2026-06-11T01:15:00+12:00');
    assert.equal(inAkl[0].timeInterval.duration, 2700);
    // A `Z` suffix does not pin the range to UTC: it is still read in timeZone.
    assert.equal((await ids({ ...akl, dateRangeStart: '2026-06-11T00:00:00.000Z', dateRangeEnd: '2026-06-11T23:59:59.999Z' })).length, 1);
    const utc = await ids({ timeZone: 'UTC', dateRangeStart: '2026-06-10T00:00:00', dateRangeEnd: '2026-06-10T23:59:59.999' });
    assert.equal(utc[0].timeInterval.start, '2026-06-10T12:30:00Z');
    // Default zone: the key owner's profile zone.
    const zone = sim.store.user(ownerId)!.timeZone;
    const local = DateTime.fromMillis(e.start, { zone });
    const day = local.toISODate();
    const dflt = await ids({ dateRangeStart: `${day}T00:00:00`, dateRangeEnd: `${day}T23:59:59.999` });
    assert.equal(dflt[0].timeInterval.start, local.toISO({ suppressMilliseconds: true }));
    const nextDay = local.plus({ days: 1 }).toISODate();
    assert.equal((await ids({ dateRangeStart: `${nextDay}T00:00:00`, dateRangeEnd: `${nextDay}T23:59:59.999` })).length, 0);
    const sum = await report('summary', { ...akl, description: desc, dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-30T23:59:59', summaryFilter: { groups: ['DATE'] } });
    assert.deepEqual(sum.body.groupOne.map((g: any) => [g._id, g.duration]), [['2026-06-11', 2700]]);
  } finally {
    sim.deleteTimeEntry(e.id);
  }
});

test('relative dateRangeType is computed from the simulated now in timeZone', async () => {
  // now = 2026-08-15T12:00:00Z; LAST_MONTH in Asia/Tokyo is July 2026 there.
  const body = { dateRangeStart: '2000-01-01T00:00:00', dateRangeEnd: '2000-01-01T00:00:00', timeZone: 'Asia/Tokyo', detailedFilter: { pageSize: 1 } };
  const last = await report('detailed', { ...body, dateRangeType: 'LAST_MONTH' });
  assert.equal(last.body.totals[0].entriesCount, truth(WS, range('2026-07-01T00:00:00', '2026-07-31T23:59:59.999', 'Asia/Tokyo')).ids.length);
  const absolute = await report('detailed', { ...body, dateRangeType: 'ABSOLUTE' });
  assert.deepEqual(absolute.body.totals, [null], 'ABSOLUTE keeps the literal (empty) range');
});

test('summary: three nested levels add up and agree with the ground truth', async () => {
  const t = truth(WS, JUNE_RANGE);
  const r = await report('summary', { ...JUNE, summaryFilter: { groups: ['PROJECT', 'USER', 'DATE'] } });
  assert.equal(r.status, 200);
  assert.equal(r.body.totals[0].totalTime, t.seconds);
  assert.equal(r.body.totals[0].entriesCount, t.ids.length);
  const perProject = new Map<string, number>();
  for (const e of t.entries) perProject.set(e.projectId ?? '', (perProject.get(e.projectId ?? '') ?? 0) + (e.end! - e.start) / 1000);
  assert.deepEqual(new Map(r.body.groupOne.map((g: any) => [g._id, g.duration])), perProject);
  assert.ok(perProject.has(''), 'entries without project form the "" group');
  let leaves = 0;
  for (const p of r.body.groupOne) {
    assert.equal(p.children.reduce((s: number, u: any) => s + u.duration, 0), p.duration);
    for (const u of p.children) {
      assert.equal(u.children.reduce((s: number, d: any) => s + d.duration, 0), u.duration);
      const expected = t.entries.filter((e) => (e.projectId ?? '') === p._id && e.userId === u._id);
      assert.equal(u.duration, expected.reduce((s, e) => s + (e.end! - e.start) / 1000, 0));
      for (const d of u.children) {
        assert.match(d._id, /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(d.children, undefined, 'leaves have no children');
        leaves++;
      }
    }
  }
  assert.ok(leaves > 10);
  const names = r.body.groupOne.map((g: any) => g.nameLowerCase);
  assert.deepEqual(names, [...names].sort(), 'GROUP order, ascending');
  near(r.body.groupOne.reduce((s: number, g: any) => s + g.amount, 0), t.earned, t.ids.length, 'earned over groups');

  // TAG: an entry counts once in each of its tags (or in "Without tag").
  const tags = await report('summary', { ...JUNE, summaryFilter: { groups: ['TAG'] } });
  const tagged = t.entries.reduce((s, e) => s + ((e.end! - e.start) / 1000) * Math.max(1, e.tagIds.length), 0);
  assert.equal(tags.body.groupOne.reduce((s: number, g: any) => s + g.duration, 0), tagged);
  assert.equal(tags.body.totals[0].totalTime, t.seconds);

  const month = await report('summary', { ...JUNE, summaryFilter: { groups: ['MONTH', 'CLIENT'], sortColumn: 'DURATION' }, sortOrder: 'DESCENDING' });
  assert.deepEqual(month.body.groupOne.map((g: any) => g._id).sort(), ['2026-05', '2026-06', '2026-07']);
  const ds = month.body.groupOne.map((g: any) => g.duration);
  assert.deepEqual(ds, [...ds].sort((a: number, b: number) => b - a));

  const four = await report('summary', { ...JUNE, summaryFilter: { groups: ['PROJECT', 'USER', 'DATE', 'TAG'] } });
  assert.equal(four.status, 400);
  assert.equal(four.body.code, 501);
});

test('weekly: exactly 7 days, days and groups agree with the ground truth', async () => {
  const week = { timeZone: 'Europe/Berlin', weeklyFilter: { group: 'USER' } };
  const six = await report('weekly', { ...week, dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-06T23:59:59.999' });
  assert.deepEqual(six, { status: 400, body: { message: 'Please select date range of exactly 7 days for weekly report', code: 501 } });
  const eight = await report('weekly', { ...week, dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-08T23:59:59.999' });
  assert.equal(eight.status, 400);
  const inclusive = await report('weekly', { ...week, dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-07T23:59:59.999' });
  const exclusive = await report('weekly', { ...week, dateRangeStart: '2026-06-01T00:00:00Z', dateRangeEnd: '2026-06-08T00:00:00Z' });
  assert.equal(inclusive.status, 200);
  assert.deepEqual(exclusive.body, inclusive.body);
  const r = inclusive.body;
  const t = truth(WS, range('2026-06-01T00:00:00', '2026-06-07T23:59:59.999', 'Europe/Berlin'));
  assert.ok(t.ids.length > 3);
  assert.equal(r.totals[0].totalTime, t.seconds);
  assert.equal(r.totals[0].entriesCount, t.ids.length);
  assert.deepEqual(r.totalsByDay.map((d: any) => d.date), ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07']);
  assert.equal(r.totalsByDay.reduce((s: number, d: any) => s + d.duration, 0), t.seconds);
  for (const [i, d] of r.totalsByDay.entries()) {
    const day = t.entries.filter((e) => DateTime.fromMillis(e.start, { zone: 'Europe/Berlin' }).toISODate() === d.date);
    assert.equal(d.duration, day.reduce((s, e) => s + (e.end! - e.start) / 1000, 0), `day ${i}`);
  }
  for (const u of r.groupOne) {
    assert.equal(u.days.length, 7);
    assert.equal(u.days.reduce((s: number, d: any) => s + d.duration, 0), u.duration);
    assert.equal(u.children.reduce((s: number, p: any) => s + p.duration, 0), u.duration);
    assert.equal(u.duration, t.entries.filter((e) => e.userId === u._id).reduce((s, e) => s + (e.end! - e.start) / 1000, 0));
  }
  const withTime = new Set(r.groupOne.map((u: any) => u._id));
  for (const u of r.usersWithoutTime) assert.ok(!withTime.has(u.id));
  const byProject = await report('weekly', { ...week, weeklyFilter: { group: 'PROJECT' }, dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-07T23:59:59.999' });
  assert.equal(byProject.body.groupOne.reduce((s: number, p: any) => s + p.duration, 0), t.seconds);
  assert.ok(byProject.body.groupOne.every((p: any) => p.children.every((u: any) => sim.store.user(u._id))));
  const noGroup = await report('weekly', { dateRangeStart: '2026-06-01T00:00:00', dateRangeEnd: '2026-06-07T23:59:59.999', weeklyFilter: {} });
  assert.equal(noGroup.status, 400);
});

test('filters: users, projects, clients, tags with contains and status; billable; description', async () => {
  const count = async (body: Record<string, unknown>) => {
    const r = await report('detailed', { ...JUNE, detailedFilter: { pageSize: 1 }, ...body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.totals[0]?.entriesCount ?? 0;
  };
  const n = (pred: (e: TimeEntry) => boolean) => truth(WS, JUNE_RANGE, pred).ids.length;
  const store = sim.store;
  const project = store.projects(WS).find((p) => !p.archived)!;
  const archived = store.projects(WS).find((p) => p.archived)!;
  const client = store.clients(WS)[0];
  const clientOf = (e: TimeEntry) => (e.projectId ? store.project(e.projectId)!.clientId : null);
  const tag = store.tags(WS).find((x) => !x.archived)!;
  const archivedTag = store.tags(WS).find((x) => x.archived)!;
  const inactive = store.members(WS).filter((m) => m.status === 'INACTIVE').map((m) => m.userId);
  assert.ok(inactive.length > 0);

  assert.equal(await count({ projects: { ids: [project.id], contains: 'CONTAINS' } }), n((e) => e.projectId === project.id));
  assert.equal(await count({ projects: { ids: [project.id], contains: 'DOES_NOT_CONTAIN' } }), n((e) => e.projectId !== project.id));
  assert.equal(await count({ projects: { ids: [], status: 'ARCHIVED' } }), n((e) => e.projectId === archived.id));
  assert.equal(await count({ projects: { ids: [], status: 'ACTIVE' } }), n((e) => !!e.projectId && !store.project(e.projectId)!.archived));
  assert.equal(await count({ clients: { ids: [client.id], contains: 'CONTAINS' } }), n((e) => clientOf(e) === client.id));
  assert.equal(await count({ tags: { ids: [tag.id], contains: 'CONTAINS' } }), n((e) => e.tagIds.includes(tag.id)));
  assert.equal(await count({ tags: { ids: [tag.id, archivedTag.id], contains: 'CONTAINS_ONLY' } }),
    n((e) => e.tagIds.length > 0 && e.tagIds.every((x) => x === tag.id || x === archivedTag.id)));
  assert.equal(await count({ tags: { ids: [tag.id], contains: 'DOES_NOT_CONTAIN' } }), n((e) => !e.tagIds.includes(tag.id)));
  assert.equal(await count({ tags: { ids: [], status: 'ARCHIVED' } }), n((e) => e.tagIds.includes(archivedTag.id)));
  assert.equal(await count({ users: { ids: [memberId], contains: 'CONTAINS' } }), n((e) => e.userId === memberId));
  assert.equal(await count({ users: { ids: [], status: 'INACTIVE' } }), n((e) => inactive.includes(e.userId)));
  assert.equal(await count({ users: { ids: [memberId], contains: 'DOES_NOT_CONTAIN', status: 'ALL' } }), n((e) => e.userId !== memberId));
  assert.equal(await count({ billable: true }), n((e) => e.billable));
  assert.equal(await count({ billable: false }), n((e) => !e.billable));
  assert.equal(await count({ description: 'SPRINT' }), n((e) => e.description.toLowerCase().includes('sprint')));
  assert.equal(await count({ withoutDescription: true }), n((e) => e.description === ''));
  const bad = await report('detailed', { ...JUNE, detailedFilter: {}, projects: { ids: [project.id], contains: 'MAYBE' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 3000);
});

test('roles, plans and errors: members see only their own entries and no money; FREE plan limits ranges to 31 days', async () => {
  const mine = await report('detailed', { ...JUNE, detailedFilter: { pageSize: 1000 } }, { key: sim.keys.member });
  const t = truth(WS, JUNE_RANGE, (e) => e.userId === memberId);
  assert.ok(t.ids.length > 0);
  assert.deepEqual(mine.body.timeentries.map((e: any) => e._id).sort(), [...t.ids].sort());
  assert.ok(mine.body.timeentries.every((e: any) => !('amount' in e) && !('earnedAmount' in e)));
  const others = await report('summary', { ...JUNE, users: { ids: [ownerId], contains: 'CONTAINS' }, summaryFilter: { groups: ['USER'] } }, { key: sim.keys.member });
  assert.deepEqual(others.body.groupOne, []);

  const long = { dateRangeStart: '2026-05-01T00:00:00', dateRangeEnd: '2026-06-01T23:59:59.999', timeZone: 'UTC', detailedFilter: {} };
  const free = await report('detailed', long, { ws: FREE_WS });
  assert.equal(free.status, 400);
  assert.equal(free.body.code, 501);
  assert.match(free.body.message, /31 days/);
  assert.equal((await report('detailed', long)).status, 200, 'paid plans have no such limit');
  const month = await report('detailed', { ...long, dateRangeEnd: '2026-05-31T23:59:59.999' }, { ws: FREE_WS });
  assert.equal(month.status, 200);
  assert.equal(month.body.timeentries[0].currency, sim.store.workspace(FREE_WS)!.currencyCode);

  assert.deepEqual(await report('detailed', { ...JUNE, detailedFilter: {} }, { ws: '0123456789abcdef01234567' }),
    { status: 400, body: { message: "Workspace doesn't belong to User", code: 501 } });
  assert.equal((await report('detailed', { ...JUNE })).status, 400, 'detailedFilter is required');
  assert.equal((await report('detailed', { dateRangeStart: '2026-05-01T00:00:00', detailedFilter: {} })).status, 400);
  const noKey = await app.request(`/report/v1/workspaces/${WS}/reports/detailed`, { method: 'POST', body: '{}' });
  assert.equal(noKey.status, 401);
  assert.deepEqual(await noKey.json(), { message: 'Multiple or none auth tokens present', code: 1000 });
});
