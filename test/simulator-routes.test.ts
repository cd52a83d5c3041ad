import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';

const { app, sim } = createSimulator({ seed: 11, workspaces: 2, users: 40, projects: 40, entries: 4000, now: '2026-11-23T12:00:00Z' });
const store = sim.store;
const ws = store.workspaces()[0].id;
const base = `/api/v1/workspaces/${ws}`;
const ownerId = sim.resolveKey('api-key', sim.keys.owner)!.userId;
type Row = Record<string, any>;

test('GET /user with and without include-memberships', async () => {
  const plain = await simGet<Row>(app, '/api/v1/user');
  assert.equal(plain.body.id, ownerId);
  assert.deepEqual(plain.body.memberships, []);
  assert.equal(plain.body.settings.timeZone, 'Europe/Berlin');
  const full = await simGet<Row>(app, '/api/v1/user?include-memberships=true');
  const types = new Set(full.body.memberships.map((m: Row) => m.membershipType));
  assert.ok(types.has('WORKSPACE') && types.has('PROJECT'), 'workspace and project memberships');
  const bad = await simGet<Row>(app, '/api/v1/user?include-memberships=maybe');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 3000);
});

test('GET /workspaces/{ws}: settings, lock date, currencies', async () => {
  const r = await simGet<Row>(app, base);
  assert.equal(r.body.id, ws);
  assert.match(r.body.workspaceSettings.lockTimeEntries, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(r.body.currencies[0].isDefault, true);
  assert.equal(r.body.memberships.length, store.members(ws).length);
});

test('users: LIMITED accounts left out by default; status and account-statuses filter; sorted by email', async () => {
  const def = await simGet<Row[]>(app, `${base}/users?page-size=5000`);
  const limited = store.members(ws).map((m) => store.user(m.userId)!).filter((u) => u.status === 'LIMITED');
  assert.ok(limited.length > 0, 'dataset has limited users');
  assert.ok(def.body.every((u) => u.status !== 'LIMITED'), 'no LIMITED by default');
  const emails = def.body.map((u) => u.email);
  assert.deepEqual(emails, [...emails].sort(), 'EMAIL ascending');
  const withLimited = await simGet<Row[]>(app, `${base}/users?page-size=5000&account-statuses=ACTIVE,LIMITED,NOT_REGISTERED,PENDING_EMAIL_VERIFICATION`);
  assert.equal(withLimited.body.length, def.body.length + limited.length);
  const inactive = await simGet<Row[]>(app, `${base}/users?status=INACTIVE&memberships=WORKSPACE&account-statuses=ACTIVE,LIMITED`);
  assert.ok(inactive.body.length > 0, 'some inactive');
  assert.ok(inactive.body.every((u) => u.memberships.length === 1 && u.memberships[0].membershipStatus === 'INACTIVE'), 'inactive memberships');
  const desc = await simGet<Row[]>(app, `${base}/users?page-size=5000&sort-column=NAME&sort-order=DESCENDING`);
  const names = desc.body.map((u) => u.name);
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  const roles = await simGet<Row[]>(app, `${base}/users?include-roles=true&email=owner`);
  assert.equal(roles.body.length, 1);
  assert.equal(roles.body[0].roles[0].role.name, 'OWNER');
  const badSort = await simGet<Row>(app, `${base}/users?sort-column=SHOE_SIZE`);
  assert.equal(badSort.status, 400);
});

test('projects: archived filter (absent = both), hydrated tasks and custom fields, name order stable', async () => {
  const all = await simGet<Row[]>(app, `${base}/projects?page-size=5000`);
  const active = await simGet<Row[]>(app, `${base}/projects?page-size=5000&archived=false`);
  const archived = await simGet<Row[]>(app, `${base}/projects?page-size=5000&archived=true`);
  assert.equal(all.body.length, store.projects(ws).length);
  assert.equal(active.body.length + archived.body.length, all.body.length);
  assert.ok(archived.body.length > 0 && archived.body.every((p) => p.archived), 'archived only');
  const keys = all.body.map((p) => `${p.name}\u0000${p.id}`);
  assert.deepEqual(keys, [...keys].sort(), 'NAME then id');
  assert.equal(all.body[0].tasks, undefined, 'no tasks unless hydrated');
  const hydrated = await simGet<Row[]>(app, `${base}/projects?page-size=5000&hydrated=true`);
  for (const p of hydrated.body) {
    assert.deepEqual(p.tasks.map((t: Row) => t.id).sort(), store.tasks(ws, p.id).map((t) => t.id).sort());
    assert.equal(p.customFields.length, store.customFields(ws).filter((f) => f.entityType === 'TIMEENTRY').length);
  }
  assert.match(all.body[0].duration, /^PT/);
  const client = store.clients(ws)[0].id;
  const byClient = await simGet<Row[]>(app, `${base}/projects?page-size=5000&clients=${client}`);
  assert.deepEqual(byClient.body.map((p) => p.id).sort(), store.projects(ws).filter((p) => p.clientId === client).map((p) => p.id).sort());
  const strict = await simGet<Row[]>(app, `${base}/projects?name=${encodeURIComponent(all.body[0].name)}&strict-name-search=true`);
  assert.ok(strict.body.every((p) => p.name === all.body[0].name), 'strict name');
});

test('clients and tags: archived filter, name order; tasks: is-active', async () => {
  for (const [path, total] of [['clients', store.clients(ws).length], ['tags', store.tags(ws).length]] as const) {
    const all = await simGet<Row[]>(app, `${base}/${path}?page-size=5000`);
    const act = await simGet<Row[]>(app, `${base}/${path}?page-size=5000&archived=false`);
    assert.equal(all.body.length, total, path);
    assert.ok(act.body.length < total && act.body.every((x) => !x.archived), `${path} active only`);
    const names = all.body.map((x) => x.name);
    assert.deepEqual(names, [...names].sort(), `${path} by name`);
  }
  const project = store.projects(ws).find((p) => store.tasks(ws, p.id).some((t) => t.status === 'DONE') && store.tasks(ws, p.id).some((t) => t.status === 'ACTIVE'));
  assert.ok(project, 'project with active and done tasks');
  const activeTasks = await simGet<Row[]>(app, `${base}/projects/${project!.id}/tasks?is-active=true`);
  assert.ok(activeTasks.body.length > 0 && activeTasks.body.every((t) => t.status === 'ACTIVE'), 'active tasks');
  const allTasks = await simGet<Row[]>(app, `${base}/projects/${project!.id}/tasks`);
  assert.equal(allTasks.body.length, store.tasks(ws, project!.id).length);
  assert.ok(allTasks.body.every((t) => Array.isArray(t.assigneeIds) && /^PT/.test(t.duration)), 'task shape');
});

test('time entries: shape, UTC timestamps, tagIds null without tags, filters, hydrated objects', async () => {
  const r = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?page-size=5000`);
  const truth = [...store.userTimeEntries(ws, ownerId)];
  assert.equal(r.body.length, truth.length);
  for (const e of r.body) {
    assert.match(e.timeInterval.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    if (e.timeInterval.end !== null) assert.match(e.timeInterval.duration, /^PT(\d+H)?(\d+M)?(\d+S)?$/);
    assert.ok(e.tagIds === null || e.tagIds.length > 0, 'tagIds null or non-empty');
  }
  const one = truth.find((e) => e.end !== null && e.tagIds.length > 0 && e.projectId)!;
  const dto = r.body.find((e) => e.id === one.id)!;
  assert.equal(dto.timeInterval.start, new Date(one.start).toISOString().replace('.000Z', 'Z'));
  assert.equal(dto.description, one.description);
  const byProject = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?page-size=5000&project=${one.projectId}`);
  assert.deepEqual(byProject.body.map((e) => e.id), truth.filter((e) => e.projectId === one.projectId).map((e) => e.id));
  const byTag = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?page-size=5000&tags=${one.tagIds[0]}`);
  assert.deepEqual(byTag.body.map((e) => e.id), truth.filter((e) => e.tagIds.includes(one.tagIds[0])).map((e) => e.id));
  const required = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?page-size=5000&project-required=true`);
  assert.equal(required.body.length, truth.filter((e) => e.projectId).length);
  const running = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?in-progress=true`);
  assert.deepEqual(running.body.map((e) => e.id), truth.filter((e) => e.end === null).map((e) => e.id));
  const hyd = await simGet<Row[]>(app, `${base}/user/${ownerId}/time-entries?page-size=5000&hydrated=true`);
  const h = hyd.body.find((e) => e.id === one.id)!;
  assert.equal(h.project.id, one.projectId);
  assert.deepEqual(h.tags.map((t: Row) => t.id).sort(), [...one.tagIds].sort());
  assert.equal(h.user.id, ownerId);
  const withCf = truth.find((e) => e.customFieldValues.length > 0);
  if (withCf) {
    const cf = r.body.find((e) => e.id === withCf.id)!;
    assert.equal(cf.customFieldValues[0].timeEntryId, withCf.id);
    assert.equal(cf.customFieldValues[0].type, 'TIMEENTRY');
  }
  const badStart = await simGet<Row>(app, `${base}/user/${ownerId}/time-entries?start=yesterday`);
  assert.equal(badStart.status, 400);
  assert.equal(badStart.body.code, 3000);
});

test('user groups, custom fields, holidays', async () => {
  const groups = await simGet<Row[]>(app, `${base}/user-groups?includeTeamManagers=true`);
  assert.equal(groups.body.length, store.userGroups(ws).length);
  assert.ok(groups.body.every((g) => Array.isArray(g.teamManagers)), 'team managers present');
  const plain = await simGet<Row[]>(app, `${base}/user-groups`);
  assert.ok(plain.body.every((g) => g.teamManagers === undefined), 'team managers only on request');
  const fields = await simGet<Row[]>(app, `${base}/custom-fields?entity-type=USER`);
  assert.ok(fields.body.length > 0 && fields.body.every((f) => f.entityType === 'USER'), 'user fields');
  const holidays = await simGet<Row[]>(app, `${base}/holidays`);
  assert.ok(holidays.body.every((h) => /^\d{4}-\d{2}-\d{2}$/.test(h.datePeriod.startDate)), 'date period');
  const assigned = await simGet<Row[]>(app, `${base}/holidays?assigned-to=${ownerId}`);
  assert.ok(assigned.body.length >= holidays.body.filter((h) => h.everyoneIncludingNew).length, 'everyone holidays included');
});
