import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { control, simGet } from '../src/simulator/sim-testing.ts';

const NOW = '2026-11-23T12:00:00Z';
type Row = Record<string, any>;

function fresh() {
  const s = createSimulator({ seed: 4, workspaces: 2, users: 10, projects: 10, entries: 800, now: NOW });
  const ws = s.sim.store.workspaces()[0].id;
  const owner = s.sim.resolveKey('api-key', s.sim.keys.owner)!.userId;
  return { ...s, ws, owner };
}

test('the control API refuses requests without the right X-Simulator-Token', async () => {
  const { app } = fresh();
  for (const token of ['', 'wrong']) {
    const r = await control(app, 'GET', '/info', undefined, token);
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { message: 'Missing or wrong X-Simulator-Token', code: 401 });
  }
  const bare = await simGet(app, '/__simulator/stats', null);
  assert.equal(bare.status, 401);
  const api = await simGet(app, '/__simulator/info', 'sim-admin-key');
  assert.equal(api.status, 401, 'an API key is not a control token');
  const custom = createSimulator({ entries: 10, adminToken: 'secret-x' });
  assert.equal((await control(custom.app, 'GET', '/info', undefined, 'secret-x')).status, 200);
});

test('info and the dataset: JSON arrays, time entries as NDJSON matching the store', async () => {
  const { app, sim, ws } = fresh();
  const info = await control<Row>(app, 'GET', '/info');
  assert.equal(info.body.seed, 4);
  assert.equal(info.body.workspaces[0].id, ws);
  assert.equal(info.body.now, NOW);
  const projects = await control<Row[]>(app, 'GET', `/dataset?entity=projects&workspace=${ws}`);
  assert.deepEqual(projects.body.map((p) => p.id), sim.store.projects(ws).map((p) => p.id));
  const res = await app.request(`/__simulator/dataset?entity=time_entries&workspace=${ws}`, { headers: { 'X-Simulator-Token': 'sim-control-token' } });
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, sim.store.countTimeEntries(ws));
  const truth = [...sim.store.timeEntries(ws)];
  assert.deepEqual(lines.map((l) => l.id), truth.map((e) => e.id));
  assert.equal(lines[0].start, new Date(truth[0].start).toISOString().replace('.000Z', 'Z'));
  const api = await app.request(`/__simulator/dataset?entity=time_entries&workspace=${ws}&format=api`, { headers: { 'X-Simulator-Token': 'sim-control-token' } });
  const first = JSON.parse((await api.text()).split('\n')[0]);
  assert.ok(first.timeInterval && 'tagIds' in first, 'API shape');
  const bad = await control<Row>(app, 'GET', `/dataset?entity=nope&workspace=${ws}`);
  assert.equal(bad.status, 400);
  const noWs = await control<Row>(app, 'GET', '/dataset?entity=projects');
  assert.equal(noWs.status, 400);
});

test('add, edit and delete time entries through the control API; the main API follows', async () => {
  const { app, ws, owner } = fresh();
  const add = await control<Row>(app, 'POST', '/time-entries', { workspaceId: ws, userId: owner, start: '2026-11-23T09:00:00Z', end: '2026-11-23T10:30:00Z', description: 'added, "new" 🚀' });
  assert.equal(add.status, 201, add.text);
  const id = add.body.id;
  const list = await simGet<Row[]>(app, `/api/v1/workspaces/${ws}/user/${owner}/time-entries?start=2026-11-23T00:00:00Z`);
  const dto = list.body.find((e) => e.id === id)!;
  assert.equal(dto.timeInterval.duration, 'PT1H30M');
  assert.equal(dto.description, 'added, "new" 🚀');
  const edit = await control<Row>(app, 'PATCH', `/time-entries/${id}`, { description: 'edited', end: '2026-11-23T11:00:00Z' });
  assert.equal(edit.status, 200);
  assert.equal(edit.body.description, 'edited');
  assert.equal(edit.body.end, '2026-11-23T11:00:00Z');
  const badProject = await control<Row>(app, 'PATCH', `/time-entries/${id}`, { projectId: 'ffffffffffffffffffffffff' });
  assert.equal(badProject.status, 400);
  assert.equal(badProject.body.code, 501);
  assert.equal((await control(app, 'DELETE', `/time-entries/${id}`)).status, 204);
  assert.equal((await control(app, 'DELETE', `/time-entries/${id}`)).status, 400);
  const after = await simGet<Row[]>(app, `/api/v1/workspaces/${ws}/user/${owner}/time-entries?start=2026-11-23T00:00:00Z`);
  assert.ok(!after.body.some((e) => e.id === id), 'deleted entry gone');
});

test('entities: add, edit, archive, deactivate, delete', async () => {
  const { app, sim, ws } = fresh();
  const client = await control<Row>(app, 'POST', '/clients', { workspaceId: ws, name: 'New client' });
  assert.equal(client.status, 201);
  const project = await control<Row>(app, 'POST', '/projects', { workspaceId: ws, name: 'New project', clientId: client.body.id, hourlyRate: 12345 });
  assert.equal(project.body.hourlyRate.amount, 12345);
  const dup = await control<Row>(app, 'POST', '/projects', { workspaceId: ws, name: 'New project' });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.message, 'Project with this name already exists');
  const task = await control<Row>(app, 'POST', '/tasks', { workspaceId: ws, projectId: project.body.id, name: 'T1' });
  const tag = await control<Row>(app, 'POST', '/tags', { workspaceId: ws, name: 'fresh-tag' });
  assert.equal((await control<Row>(app, 'POST', `/projects/${project.body.id}/archive`)).body.archived, true);
  assert.equal((await control<Row>(app, 'POST', `/tasks/${task.body.id}/archive`)).body.status, 'DONE');
  assert.equal((await control<Row>(app, 'PATCH', `/tags/${tag.body.id}`, { name: 'renamed' })).body.name, 'renamed');
  const user = sim.store.members(ws).find((m) => m.role === 'MEMBER' && m.status === 'ACTIVE')!.userId;
  assert.equal((await control(app, 'POST', `/users/${user}/deactivate?workspace=${ws}`)).status, 200);
  assert.equal(sim.store.member(ws, user)!.status, 'INACTIVE');
  const projects = await simGet<Row[]>(app, `/api/v1/workspaces/${ws}/projects?archived=true&page-size=5000`);
  assert.ok(projects.body.some((p) => p.id === project.body.id), 'archived project listed');
  assert.equal((await control(app, 'DELETE', `/projects/${project.body.id}`)).status, 204);
  assert.equal(sim.store.task(task.body.id), undefined, 'tasks go with their project');
  const unknownKind = await control(app, 'POST', '/widgets', { workspaceId: ws });
  assert.equal(unknownKind.status, 404);
});

test('timers: start, list in progress, stop', async () => {
  const { app, ws, sim } = fresh();
  const user = sim.store.members(ws).find((m) => m.status === 'ACTIVE' && m.role === 'MEMBER')!.userId;
  const started = await control<Row>(app, 'POST', '/timers/start', { workspaceId: ws, userId: user, description: 'timer' });
  assert.equal(started.status, 201);
  assert.equal(started.body.end, null);
  const running = await simGet<Row[]>(app, `/api/v1/workspaces/${ws}/time-entries/status/in-progress?page-size=1000`);
  assert.ok(running.body.some((e) => e.id === started.body.id), 'running timer listed');
  await control(app, 'POST', '/clock', { advance: 'PT45M' });
  const stopped = await control<Row[]>(app, 'POST', '/timers/stop', { workspaceId: ws, userId: user });
  const mine = stopped.body.find((e) => e.id === started.body.id)!;
  assert.equal(Date.parse(mine.end) - Date.parse(mine.start), 45 * 60_000);
});

test('the clock moves by an ISO duration or to an instant', async () => {
  const { app, sim } = fresh();
  assert.deepEqual((await control(app, 'GET', '/clock')).body, { now: NOW });
  assert.deepEqual((await control(app, 'POST', '/clock', { advance: 'P1DT2H' })).body, { now: '2026-11-24T14:00:00Z' });
  assert.deepEqual((await control(app, 'POST', '/clock', { now: '2027-01-01T00:00:00Z' })).body, { now: '2027-01-01T00:00:00Z' });
  assert.equal(sim.now(), Date.parse('2027-01-01T00:00:00Z'));
  assert.equal((await control(app, 'POST', '/clock', { advance: 'soon' })).status, 400);
});

test('stats count requests per route template and per key, and reset', async () => {
  const { app, ws } = fresh();
  await simGet(app, `/api/v1/workspaces/${ws}/tags`);
  await simGet(app, `/api/v1/workspaces/${ws}/tags?page=2`);
  await simGet(app, `/api/v1/workspaces/${ws}/clients`, 'sim-member-key');
  await simGet(app, '/api/v1/user', 'bad-key');
  const stats = await control<Row>(app, 'GET', '/stats');
  assert.equal(stats.body.total, 4);
  assert.equal(stats.body.byRoute['GET /api/v1/workspaces/:workspaceId/tags'], 2);
  assert.equal(stats.body.byKey['sim-admin-key'], 2);
  assert.equal(stats.body.byKey['sim-member-key'], 1);
  assert.equal(stats.body.byStatus['401'], 1);
  await control(app, 'DELETE', '/stats');
  assert.equal((await control<Row>(app, 'GET', '/stats')).body.total, 0);
});
