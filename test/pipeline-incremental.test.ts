/**
 * Issue 4: scripted change sequences on the in-process simulator, synced full then incrementally
 * (both time-entry sources), after which every table equals the simulator's ground truth row for
 * row (a fresh full sync of the same state through the main API, per user) and the time entries
 * equal the simulator's store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Destination } from '../src/destinations/destination.ts';
import type { TimeEntry } from '../src/simulator/index.ts';
import { assertMatchesTruth, liveRows, memoryDuckDB, setupSim, sync } from './support/pipeline-harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Sim = ReturnType<typeof setupSim>;

function env(options: Parameters<typeof setupSim>[0] = {}) {
  const s = setupSim(options);
  const ws = s.sim.store.workspaceList[0].id;
  const now = () => new Date(s.sim.now());
  return { ...s, ws, now };
}

/** Entries of active members, stopped, with start in [from, to) relative to the simulated now. */
function pick(s: Sim, ws: string, fromAgo: number, toAgo: number, n: number): TimeEntry[] {
  const now = s.sim.now();
  const active = new Set(s.sim.store.members(ws).filter((m) => m.status === 'ACTIVE').map((m) => m.userId));
  const out = [...s.sim.store.timeEntries(ws)].filter((e) => e.end !== null && active.has(e.userId) && e.start >= now - fromAgo && e.start < now - toAgo);
  assert.ok(out.length >= n, `the dataset has ${n} entries between ${fromAgo / DAY} and ${toAgo / DAY} days ago`);
  return out.slice(0, n);
}

async function assertEntriesMatchStore(s: Sim, ws: string, dest: Destination, what: string) {
  const rows = await liveRows(dest, 'time_entries');
  const byId = new Map([...rows.values()].map((r) => [String(r.id), r]));
  const store = [...s.sim.store.timeEntries(ws)];
  assert.equal(byId.size, store.length, `${what}: as many live time entries as the simulator has`);
  for (const e of store) {
    const r = byId.get(e.id);
    assert.ok(r, `${what}: entry ${e.id} present`);
    assert.equal(r.description, e.description, `${what}: description of ${e.id}`);
    assert.equal((r.time_interval__start as Date).getTime(), e.start, `${what}: start of ${e.id}`);
    assert.equal(r.time_interval__end === null ? null : (r.time_interval__end as Date).getTime(), e.end, `${what}: end of ${e.id}`);
    assert.equal(r.user_id, e.userId);
  }
}

for (const source of ['users', 'report'] as const) {
  describe(`incremental sync, ${source} source`, () => {
    test('entries added, edited and deleted inside and outside the window, back-dated and moved out of the window', async () => {
      const s = env();
      const { ws, now } = s;
      const dest = memoryDuckDB();
      try {
        const first = await sync(s, dest, { now });
        assert.equal(first.timeEntries[ws].mode, 'full', 'the first run is full');
        s.sim.setClock({ advance: 'PT1H' });

        const [editIn, deleteIn, moveOut] = pick(s, ws, 3 * DAY, 2 * HOUR, 3);
        const [editOut, deleteOut, retag] = pick(s, ws, 200 * DAY, 40 * DAY, 3);
        const user = editIn.userId;
        const added = s.sim.addTimeEntry({ workspaceId: ws, userId: user, description: 'added in the window', start: now().getTime() - 5 * HOUR, end: now().getTime() - 4 * HOUR });
        const backdated = s.sim.addTimeEntry({ workspaceId: ws, userId: user, description: 'back-dated', start: now().getTime() - 90 * DAY, end: now().getTime() - 90 * DAY + HOUR });
        s.sim.updateTimeEntry(editIn.id, { description: 'edited in the window' });
        s.sim.deleteTimeEntry(deleteIn.id);
        s.sim.updateTimeEntry(moveOut.id, { start: now().getTime() - 60 * DAY, end: now().getTime() - 60 * DAY + HOUR });
        s.sim.updateTimeEntry(editOut.id, { description: 'edited long ago', billable: !editOut.billable });
        s.sim.deleteTimeEntry(deleteOut.id);
        s.sim.updateTimeEntry(retag.id, { tagIds: [] });
        s.sim.setClock({ advance: 'PT5M' });

        const second = await sync(s, dest, { now, timeEntriesSource: source });
        const summary = second.timeEntries[ws];
        assert.equal(summary.mode, 'incremental', 'incremental once a full sync succeeded');
        assert.equal(summary.source, source);
        assert.equal(summary.feed, 'used');
        assert.ok(summary.windowStart && Math.abs(summary.windowStart.getTime() - (first.startedAt.getTime() - 7 * DAY)) < 60_000, 'window = savepoint − 7 days');
        assert.ok(summary.feedChanges.deleted >= 2, 'deletions from the feed');
        if (source === 'report') assert.ok(second.requests < first.requests, `fewer requests (${second.requests} < ${first.requests})`);
        else assert.ok(second.requests <= first.requests + 4, 'per user: the same reads plus in-progress and the feed');

        await assertEntriesMatchStore(s, ws, dest, 'after the changes');
        await assertMatchesTruth(s, dest, 'after the changes');
        const rows = await liveRows(dest, 'time_entries');
        const ids = new Set([...rows.values()].map((r) => r.id));
        for (const e of [added, backdated, editIn, moveOut, editOut]) assert.ok(ids.has(e.id));
        for (const e of [deleteIn, deleteOut]) assert.ok(!ids.has(e.id));

        // Soft deletes by default: the rows are kept with _deleted_at.
        const all = new Map<string, unknown>();
        for await (const r of dest.readTable('time_entries')) all.set(String(r.id), r._deleted_at);
        assert.ok(all.get(deleteIn.id) instanceof Date && all.get(deleteOut.id) instanceof Date, 'soft-deleted rows keep _deleted_at');

        // A rerun with nothing changed changes nothing.
        s.sim.setClock({ advance: 'PT1H' });
        const third = await sync(s, dest, { now, timeEntriesSource: source });
        for (const [table, c] of Object.entries(third.tables)) {
          assert.deepEqual([c.inserted, c.updated, c.deleted], [0, 0, 0], `${table}: nothing changes on a rerun`);
        }
      } finally {
        await dest.close();
      }
    });
  });
}

describe('running timers and the fallback when the change feed is not available', () => {
  test('timers started and stopped between runs, one started before the window, feed refused (404)', async () => {
    const s = env();
    const { ws, now } = s;
    // The change feed answers 404 (not available): only window reconciliation remains.
    const app = {
      request: (url: string, init?: RequestInit) =>
        /\/entities\/(created|updated|deleted)/.test(url)
          ? new Response(JSON.stringify({ message: 'No static resource', code: 3000 }), { status: 404, headers: { 'content-type': 'application/json' } })
          : s.app.request(url, init),
    };
    const dest = memoryDuckDB();
    try {
      const [a, b] = s.sim.store.members(ws).filter((m) => m.status === 'ACTIVE').map((m) => m.userId);
      for (const u of [a, b]) s.sim.stopTimer(ws, u);
      const early = s.sim.addTimeEntry({ workspaceId: ws, userId: a, description: 'long timer', start: now().getTime() - 20 * DAY, end: null });
      await sync({ app }, dest, { now });
      const timer = s.sim.startTimer({ workspaceId: ws, userId: b, description: 'timer' });

      s.sim.setClock({ advance: 'PT2H' });
      const second = await sync({ app }, dest, { now, timeEntriesSource: 'users' });
      assert.equal(second.timeEntries[ws].feed, 'unavailable');
      assert.ok(second.warnings.some((w) => w.includes('change feed')), 'the run says the feed is not available');
      let rows = await liveRows(dest, 'time_entries');
      let byId = new Map([...rows.values()].map((r) => [String(r.id), r]));
      assert.equal(byId.get(timer.id)?.time_interval__end, null, 'a new timer is stored as running');
      assert.equal(byId.get(early.id)?.time_interval__end, null, 'the long timer is stored as running');

      // Ten days later, still running: reread from the in-progress list.
      s.sim.setClock({ advance: 'P10D' });
      await sync({ app }, dest, { now, timeEntriesSource: 'users' });
      // Then both stop: both starts are now before the 7-day window.
      s.sim.setClock({ advance: 'PT1H' });
      s.sim.stopTimer(ws, a);
      s.sim.stopTimer(ws, b);
      const third = await sync({ app }, dest, { now, timeEntriesSource: 'users' });
      assert.ok(third.timeEntries[ws].windowStart!.getTime() > timer.start, 'the stopped timer started before the window');
      rows = await liveRows(dest, 'time_entries');
      byId = new Map([...rows.values()].map((r) => [String(r.id), r]));
      assert.equal((byId.get(timer.id)?.time_interval__end as Date).getTime(), s.sim.store.timeEntry(timer.id)!.end, 'the stopped timer is refreshed');
      assert.equal((byId.get(early.id)?.time_interval__end as Date).getTime(), s.sim.store.timeEntry(early.id)!.end, 'the long timer is refreshed');
      await assertEntriesMatchStore(s, ws, dest, 'after the timers stopped');

      // The same with the report source (reports never list running timers).
      const long = s.sim.addTimeEntry({ workspaceId: ws, userId: b, description: 'long timer 2', start: now().getTime() - 3 * DAY, end: null });
      await sync({ app }, dest, { now, timeEntriesSource: 'report' });
      s.sim.setClock({ advance: 'P10D' });
      await sync({ app }, dest, { now, timeEntriesSource: 'report' });
      s.sim.setClock({ advance: 'PT1H' });
      s.sim.stopTimer(ws, b);
      const stopped = await sync({ app }, dest, { now, timeEntriesSource: 'report' });
      assert.ok(stopped.timeEntries[ws].windowStart!.getTime() > long.start, 'the timer started before the window');
      rows = await liveRows(dest, 'time_entries');
      byId = new Map([...rows.values()].map((r) => [String(r.id), r]));
      assert.equal((byId.get(long.id)?.time_interval__end as Date).getTime(), s.sim.store.timeEntry(long.id)!.end, 'refreshed through the report');
      await assertEntriesMatchStore(s, ws, dest, 'after the second timer stopped');

      // Without the feed, an edit older than the window is not seen (and the run said so); a
      // deletion inside the window is.
      const [old] = pick(s, ws, 200 * DAY, 40 * DAY, 1);
      const recent = s.sim.addTimeEntry({ workspaceId: ws, userId: a, description: 'recent', start: now().getTime() - 2 * DAY, end: now().getTime() - 2 * DAY + HOUR });
      await sync({ app }, dest, { now, timeEntriesSource: 'report' });
      assert.ok((await liveRows(dest, 'time_entries', (r) => r.id === recent.id)).size === 1);
      s.sim.updateTimeEntry(old.id, { description: 'edited long ago' });
      s.sim.deleteTimeEntry(recent.id);
      s.sim.setClock({ advance: 'PT1H' });
      await sync({ app }, dest, { now, timeEntriesSource: 'report' });
      rows = await liveRows(dest, 'time_entries');
      byId = new Map([...rows.values()].map((r) => [String(r.id), r]));
      assert.equal(byId.get(old.id)?.description, old.description, 'not seen without the feed');
      assert.ok(!byId.has(recent.id), 'window reconciliation deletes inside the window');
      // A full run sees everything.
      await sync(s, dest, { now, mode: 'full' });
      await assertEntriesMatchStore(s, ws, dest, 'after a full run');
      await assertMatchesTruth(s, dest, 'after a full run');
    } finally {
      await dest.close();
    }
  });
});

describe('entities and full mode', () => {
  test('projects, tags, clients and users deleted or archived; full mode with hard deletes; a failed partition deletes nothing', async () => {
    const s = env();
    const { ws } = s;
    // Per-user reads: the report source cannot name a deleted project (see pipeline-sources.test.ts).
    const now = { now: s.now, timeEntriesSource: 'users' as const };
    const dest = memoryDuckDB();
    try {
      await sync(s, dest, now);
      const store = s.sim.store;
      const [p1, p2] = store.projects(ws);
      s.sim.updateEntity('projects', p1.id, { archived: true });
      s.sim.deleteEntity('projects', p2.id);
      const [t1, t2] = store.tags(ws);
      s.sim.updateEntity('tags', t1.id, { archived: true });
      s.sim.deleteEntity('tags', t2.id);
      const [c1] = store.clients(ws);
      s.sim.deleteEntity('clients', c1.id);
      const member = store.members(ws).find((m) => m.status === 'ACTIVE' && m.role === 'MEMBER')!;
      s.sim.updateEntity('users', member.userId, { status: 'INACTIVE' }, ws);
      const newcomer = s.sim.addEntity('users', ws, { name: 'New Person', email: 'new.person@example.com' }) as { id: string };
      s.sim.setClock({ advance: 'PT1H' });
      await sync(s, dest, now);
      await assertMatchesTruth(s, dest, 'after entity changes');
      s.sim.deleteEntity('users', newcomer.id, ws);
      s.sim.setClock({ advance: 'PT1H' });
      await sync(s, dest, now);
      await assertMatchesTruth(s, dest, 'after a user was removed');

      // Full mode, hard deletes: deleted rows are gone, nothing is left soft-deleted.
      const [gone] = pick(s, ws, 300 * DAY, 100 * DAY, 1);
      s.sim.deleteTimeEntry(gone.id);
      const full = await sync(s, dest, { ...now, mode: 'full', deletes: 'hard' });
      assert.equal(full.timeEntries[ws].mode, 'full');
      assert.ok(full.tables.time_entries.deleted >= 1);
      let present = false;
      for await (const r of dest.readTable('time_entries')) if (r.id === gone.id) present = true;
      assert.equal(present, false, 'hard delete removes the row');
      await assertMatchesTruth(s, dest, 'after a full run');

      // A full run that fails in a user's partition deletes nothing at all (one transaction).
      // (A server error that outlasts the retries fails the run; a 403 would only skip the partition.)
      const candidates = pick(s, ws, 300 * DAY, 100 * DAY, 40);
      const victim = candidates[0];
      const other = candidates.find((e) => e.userId !== victim.userId)!;
      s.sim.deleteTimeEntry(victim.id);
      s.sim.deleteTimeEntry(other.id);
      const tag = store.tags(ws)[0];
      s.sim.deleteEntity('tags', tag.id);
      const failing = {
        request: (url: string, init?: RequestInit) =>
          url.includes(`/user/${victim.userId}/time-entries`)
            ? new Response(JSON.stringify({ message: 'Internal server error', code: 500 }), { status: 500, headers: { 'content-type': 'application/json' } })
            : s.app.request(url, init),
      };
      await assert.rejects(sync({ app: failing }, dest, { ...now, mode: 'full', deletes: 'hard' }));
      const rows = await liveRows(dest, 'time_entries');
      assert.ok([...rows.values()].some((r) => r.id === victim.id), 'the failed partition deleted nothing');
      assert.ok([...rows.values()].some((r) => r.id === other.id), 'nor did the partitions read before the failure');
      assert.equal((await liveRows(dest, 'tags', (r) => r.id === tag.id)).size, 1, 'nor the entity streams');
      await sync(s, dest, { ...now, mode: 'full', deletes: 'hard' });
      await assertMatchesTruth(s, dest, 'after the rerun');
    } finally {
      await dest.close();
    }
  });

  test('a member with entries removed from the workspace: the run says so and keeps the entries (they still exist)', async () => {
    const s = env();
    const { ws, now } = s;
    const dest = memoryDuckDB();
    try {
      await sync(s, dest, { now, timeEntriesSource: 'users' });
      const store = s.sim.store;
      const leaver = store.members(ws).find((m) => m.role === 'MEMBER' && [...store.timeEntries(ws)].some((e) => e.userId === m.userId))!;
      s.sim.deleteEntity('users', leaver.userId, ws);
      s.sim.setClock({ advance: 'PT1H' });
      const run = await sync(s, dest, { now, mode: 'full', timeEntriesSource: 'users' });
      assert.ok(run.warnings.some((w) => w.includes('no longer members') && w.includes(leaver.userId)));
      await assertEntriesMatchStore(s, ws, dest, 'entries of a removed member');
      const users = await liveRows(dest, 'users', (r) => r.id === leaver.userId);
      assert.equal(users.size, 0, 'the user row is deleted');
    } finally {
      await dest.close();
    }
  });

  test('start date, lock date and the lock window', async () => {
    const s = env();
    const { ws, now } = s;
    const dest = memoryDuckDB();
    try {
      const startDate = new Date(now().getTime() - 30 * DAY);
      const first = await sync(s, dest, { now, startDate });
      assert.equal(first.timeEntries[ws].windowStart?.getTime(), startDate.getTime());
      const rows = await liveRows(dest, 'time_entries');
      assert.ok(rows.size > 0);
      for (const r of rows.values()) assert.ok((r.time_interval__start as Date).getTime() >= startDate.getTime(), 'nothing before the start date');
      const expected = [...s.sim.store.timeEntries(ws)].filter((e) => e.start >= startDate.getTime()).length;
      assert.equal(rows.size, expected);

      const lock = s.sim.store.workspace(ws)!.lockDate;
      assert.ok(lock !== null, 'the first workspace has a lock date');
      s.sim.setClock({ advance: 'PT1H' });
      const second = await sync(s, dest, { now });
      assert.ok(second.warnings.some((w) => w.includes('lock date')), 'the summary says the window does not reach the lock date');
      const third = await sync(s, dest, { now, updateWindow: { kind: 'lock' }, timeEntriesSource: 'users' });
      assert.equal(third.timeEntries[ws].windowStart?.getTime(), lock, 'the lock date is the window start');
      const fourth = await sync(s, dest, { now, updateWindow: { kind: 'lock' }, startDate, timeEntriesSource: 'users' });
      assert.equal(fourth.timeEntries[ws].windowStart?.getTime(), startDate.getTime(), 'never before the start date');
      assert.ok(!third.warnings.some((w) => w.includes('lock date')));
    } finally {
      await dest.close();
    }
  });
});
