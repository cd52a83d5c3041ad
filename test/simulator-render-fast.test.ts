/**
 * The fast time-entry JSON (src/simulator/sim-entry-json.ts: straight from the entry table's
 * columns) must be byte for byte `JSON.stringify` of the object renderer (`renderTimeEntry`),
 * for every entry, with awkward data: running timers, no project, tags, custom field values,
 * descriptions and field names with quotes/backslashes/newlines/control characters/unicode/emoji/
 * lone surrogates, admin vs member keys (rates hidden), lock dates, updates and deletions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';
import { isoDuration, isoUtc, renderTimeEntry } from '../src/simulator/sim-render.ts';
import { parseApiInstant, wallClockIn } from '../src/simulator/sim-api-entries.ts';
import type { TimeEntry } from '../src/simulator/model.ts';

const NOW = '2026-05-20T12:00:00Z';
const { app, sim } = createSimulator({ seed: 5, workspaces: 2, users: 25, projects: 30, entries: 3000, now: NOW });
const store = sim.store;
const [ws0, ws1] = store.workspaces().map((w) => w.id);
const memberId = sim.resolveKey('api-key', sim.keys.member)!.userId;

const AWKWARD = [
  '', 'plain', 'say "hi"', 'back\\slash \\"both\\"', 'line\nbreak', 'CRLF\r\nend', 'tab\there', 'ctrl \u0001\u001f\u007f',
  'Δ ≥ 20 %', 'emoji 🎉🚀 and 👩‍💻', 'lone \ud800 surrogate', 'low \udc00 alone', '</script><!--', 'sep \u2028\u2029 end',
  'nul \u0000 inside', '{"json":"inside"}', 'ünïcödé 日本語 한국어', ' '.repeat(3), 'x'.repeat(3000),
];

/** Adds entries with every awkward description, custom field values of every kind, tags, no project, running timers. */
function addAwkwardEntries(): void {
  for (const wsId of [ws0, ws1]) {
    const members = store.members(wsId).filter((m) => m.status === 'ACTIVE');
    const projects = store.projects(wsId);
    const tags = store.tags(wsId).map((t) => t.id);
    const fields = store.customFields(wsId).filter((f) => f.entityType === 'TIMEENTRY');
    assert.ok(fields.length > 0 && tags.length > 1 && projects.length > 0, 'dataset has fields, tags and projects');
    // Field names that need escaping (names are read per answer).
    fields[0].name = 'Field "quoted" \\ ✓ 🎯\n';
    const values: unknown[] = ['text "q" \\ \n 🎉', 42, 3.25, -0.5, true, false, null, ['a', 'b "c"', '🚀'], [], '', 'lone \ud83d'];
    AWKWARD.forEach((description, i) => {
      const user = members[i % members.length].userId;
      const start = Date.parse('2026-03-01T08:00:00Z') + i * 3_600_000 * 5 + (i % 7) * 1000;
      const project = i % 3 === 0 ? null : projects[i % projects.length];
      sim.addTimeEntry({
        workspaceId: wsId, userId: user, description, start, end: start + (i + 1) * 61_000,
        projectId: project?.id ?? null, billable: i % 2 === 0,
        tagIds: i % 4 === 0 ? [] : tags.slice(0, 1 + (i % 2)),
        customFieldValues: fields.slice(0, 1 + (i % fields.length)).map((f, k) => ({ customFieldId: f.id, value: values[(i + k) % values.length] as never })),
        type: i % 5 === 0 ? 'BREAK' : 'REGULAR',
      });
    });
    // Running timers, one without project, one with a custom field value.
    sim.startTimer({ workspaceId: wsId, userId: members[0].userId, description: 'running "now" 🏃' });
    sim.startTimer({ workspaceId: wsId, userId: members[1].userId, description: 'running\twith project', projectId: projects[0].id, tagIds: tags.slice(0, 2),
      customFieldValues: [{ customFieldId: fields[0].id, value: 'run ✓' }] });
    // Very old (before the lock date) and very long entries.
    sim.addTimeEntry({ workspaceId: wsId, userId: members[2].userId, description: 'old', start: '2020-01-01T00:00:00Z', end: '2020-01-01T00:00:01Z' });
    sim.addTimeEntry({ workspaceId: wsId, userId: members[2].userId, description: 'long', start: '2026-01-01T00:00:00Z', end: '2026-02-10T23:59:59Z' });
  }
  // Rows without an hourly rate (the generator always resolves one; written straight to the table).
  for (const n of [3, 4, 5]) store.entries.update(n, { ...store.entries.read(n), hourlyRate: null, costRate: n === 4 ? 0 : null });
  // The member key's own entries, for the member view.
  sim.addTimeEntry({ workspaceId: ws0, userId: memberId, description: 'member "own" ✓', start: '2026-04-01T09:00:00Z', end: '2026-04-01T10:30:00Z' });
}
addAwkwardEntries();

/** Live rows (not deleted) of the table. */
function liveRows(): number[] {
  const rows: number[] = [];
  for (let n = 0; n < store.entries.size; n++) if (store.entries.rowOf(store.entries.idOf(n)) === n) rows.push(n);
  return rows;
}

const reference = (e: TimeEntry, showRates: boolean) => JSON.stringify(renderTimeEntry(store, e, { hydrated: false, showRates }));

function assertEveryEntry(label: string): void {
  const rows = liveRows();
  assert.ok(rows.length > 3000);
  for (const showRates of [true, false]) {
    const writer = store.entryJson.writer(showRates);
    let checked = 0;
    for (const n of rows) {
      const expected = reference(store.entryAt(n), showRates);
      const actual = writer.entry(n);
      if (actual !== expected) assert.equal(actual, expected, `${label}: row ${n}, showRates ${showRates}`);
      checked++;
    }
    assert.equal(checked, rows.length);
    // The whole page as bytes and as text.
    const expectedPage = JSON.stringify(rows.map((n) => renderTimeEntry(store, store.entryAt(n), { hydrated: false, showRates })));
    assert.equal(writer.array(rows), expectedPage, `${label}: page text`);
    assert.equal(Buffer.from(writer.arrayBytes(rows)).toString('utf8'), Buffer.from(expectedPage, 'utf8').toString('utf8'), `${label}: page bytes`);
    assert.ok(Buffer.from(writer.arrayBytes(rows)).equals(Buffer.from(expectedPage, 'utf8')), `${label}: page bytes identical`);
    assert.equal(writer.array([]), '[]');
    assert.equal(Buffer.from(writer.arrayBytes([])).toString(), '[]');
  }
}

test('every entry: fast JSON equals JSON.stringify(renderTimeEntry(...)), rates shown and hidden', () => {
  const running = [...store.entries.running].map((n) => store.entryAt(n));
  assert.ok(running.length >= 4, 'running timers present');
  const all = liveRows().map((n) => store.entryAt(n));
  assert.ok(all.some((e) => e.projectId === null), 'entries without project');
  assert.ok(all.some((e) => e.tagIds.length === 0) && all.some((e) => e.tagIds.length > 1), 'with and without tags');
  assert.ok(all.some((e) => e.customFieldValues.length > 1), 'custom field values');
  assert.ok(all.some((e) => e.isLocked) && all.some((e) => !e.isLocked), 'locked and unlocked entries');
  assert.ok(all.some((e) => e.hourlyRate === null) && all.some((e) => e.hourlyRate !== null), 'with and without hourly rates');
  assert.ok(all.some((e) => e.costRate === null) && all.some((e) => e.costRate !== null), 'with and without cost rates');
  assert.ok(all.some((e) => e.type === 'BREAK'), 'break entries');
  assertEveryEntry('initial');
});

test('after updates, deletions and renamed fields the fast JSON still follows the store', () => {
  const rows = liveRows();
  const e1 = store.entryAt(rows[10]);
  sim.updateTimeEntry(e1.id, { description: 'updated "again" 🎉\\', tagIds: [] });
  const e2 = store.entryAt(rows[20]);
  sim.deleteTimeEntry(e2.id);
  const field = store.customFields(ws0).find((f) => f.entityType === 'TIMEENTRY')!;
  field.name = 'renamed ✓ "x"';
  const ws = store.workspace(ws0)!;
  const lock = ws.lockDate;
  ws.lockDate = Date.parse('2026-02-01T00:00:00Z');
  try {
    assertEveryEntry('after changes');
  } finally {
    ws.lockDate = lock;
  }
});

/** All pages of a user's chain through the app, compared with the object renderer over the store. */
/** `expected`: the chain's entries in order (default: the user's entries in the store, newest first). */
async function compareUserChain(wsId: string, userId: string, key: string, pageSize: number, query = '', expected?: TimeEntry[]): Promise<number> {
  const ws = store.workspace(wsId)!;
  const role = key === sim.keys.member ? 'MEMBER' : 'ADMIN';
  const showRates = role !== 'MEMBER' || !ws.settings.onlyAdminsSeeBillableRates;
  const everything = expected ?? [...store.userTimeEntries(wsId, userId)];
  let page = 1;
  let served = 0;
  for (;;) {
    const res = await simGet(app, `/api/v1/workspaces/${wsId}/user/${userId}/time-entries?page-size=${pageSize}&page=${page}${query}`, key);
    assert.equal(res.status, 200);
    const slice = everything.slice((page - 1) * pageSize, page * pageSize);
    assert.equal(res.text, JSON.stringify(slice.map((e) => renderTimeEntry(store, e, { hydrated: false, showRates }))), `page ${page} of ${userId}`);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const last = res.headers.get('Last-Page');
    assert.equal(last, String(page * pageSize >= everything.length), `Last-Page of page ${page}`);
    served += slice.length;
    if (last === 'true') break;
    page++;
  }
  assert.equal(served, everything.length);
  return served;
}

test('user time-entry chains through the app: same bytes as the object renderer, all pages, Last-Page', async () => {
  let served = 0;
  for (const wsId of [ws0, ws1]) {
    for (const m of store.members(wsId)) served += await compareUserChain(wsId, m.userId, sim.keys.admin, 37);
  }
  assert.ok(served > 3000);
  // A page beyond the end, and a page size above the count.
  const uid = store.members(ws0)[0].userId;
  await compareUserChain(ws0, uid, sim.keys.admin, 5000);
  const beyond = await simGet(app, `/api/v1/workspaces/${ws0}/user/${uid}/time-entries?page-size=50&page=999`, sim.keys.admin);
  assert.equal(beyond.text, '[]');
  assert.equal(beyond.headers.get('Last-Page'), 'true');
});

test('member key: own chain with rates hidden (onlyAdminsSeeBillableRates) and shown', async () => {
  const ws = store.workspace(ws0)!;
  assert.equal(ws.settings.onlyAdminsSeeBillableRates, true);
  const n = await compareUserChain(ws0, memberId, sim.keys.member, 7);
  assert.ok(n > 0);
  const own = await simGet<{ hourlyRate: unknown }[]>(app, `/api/v1/workspaces/${ws0}/user/${memberId}/time-entries?page-size=5000`, sim.keys.member);
  assert.ok(own.body.every((e) => e.hourlyRate === null));
  ws.settings.onlyAdminsSeeBillableRates = false;
  try {
    await compareUserChain(ws0, memberId, sim.keys.member, 7);
  } finally {
    ws.settings.onlyAdminsSeeBillableRates = true;
  }
});

test('range and filters keep their meaning (fast page path and filtered path)', async () => {
  const uid = store.members(ws0)[1].userId;
  const all = [...store.userTimeEntries(ws0, uid)];
  assert.ok(all.length > 20);
  const mid = all[Math.floor(all.length / 2)];
  const start = isoUtc(mid.start - 40 * 86_400_000);
  const end = isoUtc(mid.start);
  // The window is read as a wall clock in the key owner's zone.
  const zone = store.user(sim.resolveKey('api-key', sim.keys.admin)!.userId)!.timeZone;
  const from = wallClockIn(parseApiInstant('start', start), zone);
  const to = wallClockIn(parseApiInstant('end', end), zone) + 1;
  const ranges: [string, TimeEntry[]][] = [
    [`&start=${start}&end=${end}`, [...store.userTimeEntries(ws0, uid, { from, to })]],
    [`&start=${start}`, [...store.userTimeEntries(ws0, uid, { from })]],
    [`&end=${end}`, [...store.userTimeEntries(ws0, uid, { to })]],
    ['&description=E', all.filter((e) => e.description.toLowerCase().includes('e'))],
    ['&in-progress=true', all.filter((e) => e.end === null)],
    ['&project-required=true', all.filter((e) => e.projectId !== null)],
    ['&task-required=true', all.filter((e) => e.taskId !== null)],
  ];
  for (const [q, expected] of ranges) {
    assert.ok(expected.length > 0 || q.includes('in-progress'), q);
    await compareUserChain(ws0, uid, sim.keys.admin, 3, q, expected);
  }
  // Hydrated stays on the object renderer.
  const h = await simGet(app, `/api/v1/workspaces/${ws0}/user/${uid}/time-entries?page-size=10&hydrated=true`, sim.keys.admin);
  assert.equal(h.text, JSON.stringify(all.slice(0, 10).map((e) => renderTimeEntry(store, e, { hydrated: true, showRates: true }))));
});

test('in-progress list: same bytes as the object renderer (admin and member)', async () => {
  for (const [key, pageSize] of [[sim.keys.admin, 1000], [sim.keys.admin, 1], [sim.keys.member, 10]] as const) {
    for (const wsId of [ws0, ws1]) {
      const ws = store.workspace(wsId)!;
      const role = key === sim.keys.member ? 'MEMBER' : 'ADMIN';
      const me = sim.resolveKey('api-key', key)!.userId;
      const running = [...store.entries.running].map((n) => store.entryAt(n))
        .filter((e) => e.workspaceId === wsId && (role !== 'MEMBER' || e.userId === me))
        .sort((a, b) => b.start - a.start || (a.id < b.id ? 1 : -1));
      const showRates = role !== 'MEMBER' || !ws.settings.onlyAdminsSeeBillableRates;
      const res = await simGet(app, `/api/v1/workspaces/${wsId}/time-entries/status/in-progress?page-size=${pageSize}`, key);
      assert.equal(res.status, 200);
      assert.equal(res.text, JSON.stringify(running.slice(0, pageSize).map((e) => renderTimeEntry(store, e, { hydrated: false, showRates }))));
      assert.equal(res.headers.get('Last-Page'), String(pageSize >= running.length));
    }
  }
});

test('isoUtc and isoDuration match the plain Date/arithmetic forms', () => {
  const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';
  const dur = (ms: number) => {
    let s = Math.max(0, Math.floor(ms / 1000));
    if (s === 0) return 'PT0S';
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  };
  const samples = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, -1, -86_400_001, 951_782_400_000, 1_709_251_199_000, 253_402_300_799_999, 253_402_300_800_000, 1.5, 8.64e15, -8.64e15];
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 20000; i++) samples.push(Math.floor(rand() * 4e12) - 1e11, rand() * 2e12);
  for (const ms of samples) assert.equal(isoUtc(ms), utc(ms), String(ms));
  for (const ms of [0, -5, 999, 1000, 60_000, 3_600_000, 3_661_000, 199_999_999, 200_000_000, 3_596_400_000, 5e11, 1.5e3, ...samples.map((x) => Math.abs(x) % 1e9)]) {
    assert.equal(isoDuration(ms), dur(ms), String(ms));
  }
});

test('entryAt (one step from the columns) equals materialize(read(n)), key order included; timeEntries walks rangeAsc', () => {
  for (const n of liveRows()) {
    const fast = store.entryAt(n);
    const slow = store.materialize(n, store.entries.read(n));
    assert.deepEqual(fast, slow);
    assert.deepEqual(Object.keys(fast), Object.keys(slow));
    assert.equal(JSON.stringify(fast), JSON.stringify(slow));
  }
  const some = store.members(ws0).slice(0, 3).map((m) => m.userId);
  const day = 86_400_000;
  const t = Date.parse('2026-01-15T00:00:00Z');
  for (const q of [{}, { from: t }, { to: t }, { from: t - 30 * day, to: t }, { from: t, to: t }, { userIds: some }, { from: t - 60 * day, to: t, userIds: some }]) {
    const expected = [...store.entries.rangeAsc(ws0, q.from, q.to)].filter((n) => !q.userIds || q.userIds.includes(store.entries.userOf(n))).map((n) => store.entryAt(n).id);
    assert.deepEqual([...store.timeEntries(ws0, q)].map((e) => e.id), expected, JSON.stringify(q));
  }
});
