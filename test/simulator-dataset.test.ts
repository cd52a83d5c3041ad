import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { createSimulatorCore } from '../src/simulator/sim-core.ts';
import { generateDataset } from '../src/simulator/sim-generate.ts';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const opts = { seed: 7, workspaces: 2, users: 30, projects: 25, entries: 6000, now: NOW };

function fingerprint(seed: number): string {
  const store = generateDataset({ ...opts, seed });
  const parts: unknown[] = [store.workspaces(), store.users(), store.memberList, [...store.projectMap.values()], [...store.taskMap.values()]];
  for (const ws of store.workspaces()) parts.push([...store.timeEntries(ws.id)]);
  return JSON.stringify(parts);
}

test('the dataset is deterministic from seed and sizes, and differs between seeds', () => {
  const a = fingerprint(7);
  assert.equal(a, fingerprint(7));
  assert.notEqual(a, fingerprint(8));
});

test('ids are 24-hex and unique across entities and entries', () => {
  const store = generateDataset(opts);
  const ids = [
    ...store.workspaces().map((w) => w.id), ...store.users().map((u) => u.id), ...store.clientMap.keys(), ...store.projectMap.keys(),
    ...store.taskMap.keys(), ...store.tagMap.keys(), ...store.fieldMap.keys(), ...store.holidayList.map((h) => h.id),
  ];
  for (const ws of store.workspaces()) for (const e of store.timeEntries(ws.id)) ids.push(e.id);
  for (const id of ids) assert.match(id, /^[0-9a-f]{24}$/);
  assert.equal(new Set(ids).size, ids.length);
});

test('entries are split over workspaces, span the last 13 months, and none start in the future', () => {
  const store = generateDataset(opts);
  const [w1, w2] = store.workspaces();
  assert.equal(store.countTimeEntries(w1.id) + store.countTimeEntries(w2.id), 6000);
  const floor = DateTime.fromMillis(NOW, { zone: 'UTC' }).minus({ months: 13 }).toMillis();
  let min = Infinity;
  let max = -Infinity;
  for (const ws of store.workspaces()) {
    for (const e of store.timeEntries(ws.id)) {
      min = Math.min(min, e.start);
      max = Math.max(max, e.start);
      assert.ok(e.start >= floor && e.start <= NOW, `entry ${e.id} start in range`);
      if (e.end !== null) assert.ok(e.end >= e.start && e.end <= NOW, `entry ${e.id} end in range`);
      assert.equal(e.start % 1000, 0);
    }
  }
  assert.ok(min - floor < 10 * 86_400_000, 'earliest entries are near 13 months back');
  assert.ok(NOW - max < 5 * 86_400_000, 'latest entries are recent');
});

test('the dataset holds the awkward cases', () => {
  const store = generateDataset(opts);
  const ws = store.workspaces()[0];
  const entries = [...store.timeEntries(ws.id)];
  assert.ok(store.projects(ws.id).some((p) => p.archived), 'archived project');
  assert.ok(store.clients(ws.id).some((c) => c.archived), 'archived client');
  assert.ok(store.tags(ws.id).some((t) => t.archived), 'archived tag');
  assert.ok(store.members(ws.id).some((m) => m.status === 'INACTIVE'), 'inactive member');
  assert.ok(store.users().some((u) => u.status === 'LIMITED'), 'limited user');
  assert.ok(new Set(store.users().map((u) => u.timeZone)).size >= 4, 'several time zones');
  assert.ok(entries.some((e) => e.end === null), 'running timer');
  assert.ok(entries.some((e) => e.projectId === null), 'entry without project');
  assert.ok(entries.some((e) => e.projectId !== null && e.taskId === null), 'entry without task');
  assert.ok(entries.some((e) => e.tagIds.length === 0), 'entry without tags');
  assert.ok(entries.some((e) => e.tagIds.length > 1), 'entry with several tags');
  const descriptions = new Set(entries.map((e) => e.description));
  for (const needle of ['日本語', '🚀', '"', ',', '\n']) assert.ok([...descriptions].some((d) => d.includes(needle)), `description with ${JSON.stringify(needle)}`);
  const types = new Set(store.customFields(ws.id).map((f) => f.type));
  for (const t of ['TXT', 'NUMBER', 'DROPDOWN_SINGLE', 'DROPDOWN_MULTIPLE', 'CHECKBOX', 'LINK']) assert.ok(types.has(t as never), `custom field ${t}`);
  assert.ok(entries.some((e) => e.customFieldValues.length > 0), 'entries with custom-field values');
  assert.ok(store.tasks(ws.id).some((t) => t.assigneeIds.length > 1), 'task with several assignees');
  assert.ok(store.tasks(ws.id).some((t) => t.status === 'DONE'), 'done task');
  assert.ok(store.projects(ws.id).some((p) => p.memberships.some((m) => m.hourlyRate !== null)), 'project membership rate');
  assert.notEqual(ws.lockDate, null, 'lock date');
  assert.ok(entries.some((e) => e.isLocked) && entries.some((e) => !e.isLocked), 'locked and unlocked entries');
  assert.ok(store.holidays(ws.id).length > 0, 'holidays');
  assert.ok(store.workspaces().some((w) => w.plan === 'FREE'), 'a FREE workspace');
  // An entry that crosses midnight in its user's zone
  const crosses = entries.some((e) => {
    if (e.end === null) return false;
    const zone = store.user(e.userId)!.timeZone;
    return DateTime.fromMillis(e.start, { zone }).toISODate() !== DateTime.fromMillis(e.end - 1, { zone }).toISODate();
  });
  assert.ok(crosses, 'entry crossing midnight in the user zone');
});

test('per-user entries come newest first and the range index agrees with a full scan', () => {
  const sim = createSimulatorCore({ ...opts, now: NOW });
  const ws = sim.store.workspaces()[0];
  const user = sim.store.members(ws.id)[0].userId;
  const list = [...sim.store.userTimeEntries(ws.id, user)];
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i - 1].start > list[i].start || (list[i - 1].start === list[i].start && list[i - 1].id > list[i].id), `order at ${i}`);
  }
  const from = NOW - 60 * 86_400_000;
  const to = NOW - 30 * 86_400_000;
  const ranged = [...sim.store.timeEntries(ws.id, { from, to })].map((e) => e.id);
  const scanned = [...sim.store.timeEntries(ws.id)].filter((e) => e.start >= from && e.start < to).map((e) => e.id);
  assert.deepEqual(ranged, scanned);
  assert.ok(ranged.length > 0, "entries in range");
});

test('mutations keep the sorted indexes and the entry count right', () => {
  const sim = createSimulatorCore({ ...opts, now: NOW });
  const ws = sim.store.workspaces()[0];
  const user = sim.store.members(ws.id)[0].userId;
  const before = sim.store.countTimeEntries(ws.id);
  const added = sim.addTimeEntry({ workspaceId: ws.id, userId: user, start: NOW - 1000 * 60 * 30, end: NOW - 1000 * 60 * 10, description: 'new' });
  assert.equal([...sim.store.userTimeEntries(ws.id, user)][0].id, added.id, 'newest entry first');
  sim.updateTimeEntry(added.id, { start: NOW - 400 * 86_400_000, end: NOW - 400 * 86_400_000 + 60_000 });
  const list = [...sim.store.userTimeEntries(ws.id, user)];
  assert.equal(list[list.length - 1].id, added.id, 'moved to the oldest position');
  sim.deleteTimeEntry(added.id);
  assert.equal(sim.store.countTimeEntries(ws.id), before);
  assert.equal(sim.store.timeEntry(added.id), undefined);
});

test('rates resolve from task, project membership, project, member, workspace', () => {
  const sim = createSimulatorCore({ ...opts, now: NOW });
  const ws = sim.store.workspaces()[0];
  const project = sim.store.projects(ws.id).find((p) => p.memberships.some((m) => m.hourlyRate))!;
  const pm = project.memberships.find((m) => m.hourlyRate)!;
  const e = sim.addTimeEntry({ workspaceId: ws.id, userId: pm.userId, projectId: project.id, start: NOW - 7200_000, end: NOW - 3600_000 });
  assert.deepEqual(e.hourlyRate, pm.hourlyRate);
  const noProject = sim.addTimeEntry({ workspaceId: ws.id, userId: pm.userId, start: NOW - 7200_000, end: NOW - 3600_000 });
  const member = sim.store.member(ws.id, pm.userId)!;
  assert.deepEqual(noProject.hourlyRate, member.hourlyRate ?? ws.hourlyRate);
});
