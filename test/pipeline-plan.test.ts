/**
 * Issue 4: how a run plans a workspace's time entries from the committed state (mode, window,
 * resume of an interrupted attempt, lock date, source choice) and the Free plan's request budget.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StateRecord } from '../src/destinations/destination.ts';
import { planTimeEntries, userWindowStart } from '../src/pipeline/time-entry-plan.ts';
import type { UserCursor, WorkspaceCursor } from '../src/pipeline/time-entry-plan.ts';
import { memoryDuckDB, setupSim, sync } from './support/pipeline-harness.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const WS = 'w1';
const base = { runId: 'run-new', now: NOW, workspaceId: WS, workspace: { id: WS }, maxReportDays: 366 };

function wsCursor(over: Partial<WorkspaceCursor> = {}): StateRecord {
  const cursor: WorkspaceCursor = {
    attempt: 'run-1', seq: 1, mode: 'full', source: 'users', savepoint: '2026-11-19T12:00:00.000Z', windowStart: null, running: [],
    completedAt: '2026-11-19T12:05:00.000Z', users: 50, entriesPerDay: 300, ...over,
  };
  return { workspaceId: WS, stream: 'time_entries', partition: '', cursor, updatedAt: NOW };
}
function userCursor(user: string, over: Partial<UserCursor> = {}): StateRecord {
  const cursor: UserCursor = { attempt: 'run-2', seq: 2, mode: 'incremental', source: 'users', savepoint: '2026-11-20T11:00:00.000Z', windowStart: '2026-11-12T12:00:00.000Z', running: [], ...over };
  return { workspaceId: WS, stream: 'time_entries', partition: user, cursor, updatedAt: NOW };
}

test('no state: a full read of all history (or since the start date), per user; --mode incremental changes nothing before a first success', () => {
  const p = planTimeEntries({ ...base, state: [] });
  assert.equal(p.mode, 'full');
  assert.equal(p.windowStart, null);
  assert.equal(p.source, 'users');
  assert.equal(p.feedFrom, null);
  assert.equal(planTimeEntries({ ...base, state: [], mode: 'incremental' }).mode, 'full');
  const start = new Date('2026-01-01T00:00:00Z');
  assert.equal(planTimeEntries({ ...base, state: [], startDate: start }).windowStart, start.toISOString());
});

test('after a completed run: incremental, window = savepoint − update window, feed from the savepoint, auto picks the cheaper source', () => {
  const p = planTimeEntries({ ...base, state: [wsCursor()] });
  assert.equal(p.mode, 'incremental');
  assert.equal(p.windowStart, new Date(Date.parse('2026-11-19T12:00:00Z') - 7 * DAY).toISOString());
  assert.equal(p.savepoint, NOW.toISOString());
  assert.ok(p.feedFrom && p.feedFrom.getTime() <= Date.parse('2026-11-19T12:00:00Z'));
  assert.equal(p.source, 'report', '8 days × 300 entries = 3 pages < 50 users');
  assert.equal(p.seq, 2);
  const small = planTimeEntries({ ...base, state: [wsCursor({ users: 2 })] });
  assert.equal(small.source, 'users', '2 users: fewer requests per user');
  const window = planTimeEntries({ ...base, state: [wsCursor()], updateWindow: { kind: 'duration', ms: 30 * DAY } });
  assert.equal(window.windowStart, new Date(Date.parse('2026-11-19T12:00:00Z') - 30 * DAY).toISOString());
  const full = planTimeEntries({ ...base, state: [wsCursor()], mode: 'full' });
  assert.equal(full.windowStart, null);
  assert.equal(full.feedFrom, null);
});

test('lock date: warned when the window does not reach it; the lock window starts at it', () => {
  const workspace = { id: WS, workspaceSettings: { lockTimeEntries: '2026-10-01T00:00:00Z' } };
  const p = planTimeEntries({ ...base, workspace, state: [wsCursor()] });
  assert.ok(p.warnings.some((w) => w.includes('lock date')));
  const lock = planTimeEntries({ ...base, workspace, state: [wsCursor()], updateWindow: { kind: 'lock' } });
  assert.equal(lock.windowStart, '2026-10-01T00:00:00.000Z');
  assert.equal(lock.warnings.length, 0);
  const none = planTimeEntries({ ...base, state: [wsCursor()], updateWindow: { kind: 'lock' } });
  assert.ok(none.warnings.some((w) => w.includes('no lock date')));
});

test('an interrupted attempt is resumed: same savepoint and window, its users skipped; a completed one is not', () => {
  const state = [wsCursor(), userCursor('u1'), userCursor('u2'), userCursor('u3', { attempt: 'run-1', seq: 1 })];
  const p = planTimeEntries({ ...base, state });
  assert.equal(p.resumed, true);
  assert.equal(p.attempt, 'run-2');
  assert.equal(p.savepoint, '2026-11-20T11:00:00.000Z');
  assert.deepEqual(p.doneUsers.sort(), ['u1', 'u2']);
  // Once the attempt's workspace cursor is committed, nothing is pending.
  const done = planTimeEntries({ ...base, state: [wsCursor({ attempt: 'run-2', seq: 2 }), userCursor('u1'), userCursor('u2')] });
  assert.equal(done.resumed, false);
  assert.equal(done.seq, 3);
  // A full run asked for while an incremental attempt is pending starts afresh.
  assert.equal(planTimeEntries({ ...base, state, mode: 'full' }).resumed, false);
});

test('running timers widen the window of their user to their start', () => {
  const plan = { windowStart: '2026-11-12T00:00:00.000Z', running: [{ id: 'e', userId: 'u1', start: '2026-10-01T08:00:00.000Z' }] };
  assert.equal(userWindowStart(plan, 'u1')?.toISOString(), '2026-10-01T08:00:00.000Z');
  assert.equal(userWindowStart(plan, 'u2')?.toISOString(), '2026-11-12T00:00:00.000Z');
  assert.equal(userWindowStart(plan)?.toISOString(), '2026-10-01T08:00:00.000Z', 'the report window covers every user');
  assert.equal(userWindowStart({ windowStart: null, running: plan.running }, 'u1'), undefined);
});

test('Free plan: a run over 30 requests per workspace says how long it needs', async () => {
  const s = setupSim({ users: 40, entries: 400 });
  const dest = memoryDuckDB();
  try {
    const first = await sync(s, dest, { plan: 'free', now: () => new Date(s.sim.now()) });
    assert.ok(first.requests > 30);
    assert.ok(first.warnings.some((w) => w.includes('30 per hour') && / \d+ h /.test(w)), first.warnings.join('\n'));
    s.sim.setClock({ advance: 'PT1H' });
    const second = await sync(s, dest, { plan: 'free', now: () => new Date(s.sim.now()) });
    assert.ok(second.requests <= 30, `the incremental run fits the hour (${second.requests})`);
    assert.ok(!second.warnings.some((w) => w.includes('30 per hour')));
  } finally {
    await dest.close();
  }
});
