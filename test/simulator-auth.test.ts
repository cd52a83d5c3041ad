import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';

const { app, sim } = createSimulator({ seed: 5, workspaces: 2, users: 15, projects: 12, entries: 3000, now: '2026-11-23T12:00:00Z' });
const [ws1, ws2] = sim.store.workspaces().map((w) => w.id);
const keys = sim.keys;
const ownerId = sim.resolveKey('api-key', keys.owner)!.userId;
const memberId = sim.resolveKey('api-key', keys.member)!.userId;

test('none, both, or a Bearer header → 401 code 1000', async () => {
  const expected = { message: 'Multiple or none auth tokens present', code: 1000 };
  const variants: Record<string, string>[] = [{}, { 'X-Api-Key': keys.owner, 'X-Addon-Token': keys.addon }, { Authorization: 'Bearer abc' }, { 'X-Api-Key': keys.owner, Authorization: 'Bearer x' }];
  for (const headers of variants) {
    const r = await simGet(app, '/api/v1/user', headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.deepEqual(r.body, expected);
  }
  const report = await simGet(app, `/report/v1/workspaces/${ws1}/reports/detailed`, {}, { method: 'POST', body: '{}' });
  assert.equal(report.status, 401);
  assert.deepEqual(report.body, expected);
});

test('an unknown key → 401 code 4003; an unknown add-on token → 401 code 4017', async () => {
  const r = await simGet(app, '/api/v1/workspaces', 'no-such-key');
  assert.equal(r.status, 401);
  assert.deepEqual(r.body, { message: 'Api key does not exist', code: 4003 });
  const t = await simGet(app, '/api/v1/workspaces', { 'X-Addon-Token': 'bogus' });
  assert.equal(t.status, 401);
  assert.deepEqual(t.body, { message: 'Token is not valid', code: 4017 });
});

test('each key belongs to its user; the add-on token sees only its workspace', async () => {
  const me = await simGet<{ id: string; name: string }>(app, '/api/v1/user', keys.member);
  assert.equal(me.body.id, memberId);
  const owner = await simGet<{ id: string }[]>(app, '/api/v1/workspaces', keys.owner);
  assert.deepEqual(owner.body.map((w) => w.id), [ws1, ws2]);
  const addon = await simGet<{ id: string }[]>(app, '/api/v1/workspaces', { 'X-Addon-Token': keys.addon });
  assert.deepEqual(addon.body.map((w) => w.id), [ws1]);
  const foreign = await simGet(app, `/api/v1/workspaces/${ws2}/projects`, { 'X-Addon-Token': keys.addon });
  assert.equal(foreign.status, 400);
  assert.equal((foreign.body as { code: number }).code, 501);
  const roles = await simGet<{ id: string }[]>(app, '/api/v1/workspaces?roles=WORKSPACE_ADMIN', keys.admin);
  assert.equal(roles.body.length, 2);
  const none = await simGet<{ id: string }[]>(app, '/api/v1/workspaces?roles=OWNER', keys.member);
  assert.deepEqual(none.body, []);
});

test('unknown, deleted or foreign ids → 400 code 501, never 404', async () => {
  const fake = 'ffffffffffffffffffffffff';
  const cases = [
    `/api/v1/workspaces/${fake}`,
    `/api/v1/workspaces/${fake}/projects`,
    `/api/v1/workspaces/${ws1}/projects/${fake}/tasks`,
    `/api/v1/workspaces/${ws1}/user/${fake}/time-entries`,
    `/api/v1/workspaces/${ws1}/projects/${sim.store.projects(ws2)[0].id}/tasks`,
  ];
  for (const path of cases) {
    const r = await simGet<{ message: string; code: number }>(app, path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.code, 501, path);
    assert.match(r.body.message, /doesn't belong to/, path);
  }
  const project = sim.store.projects(ws1)[5];
  sim.deleteEntity('projects', project.id);
  const gone = await simGet<{ code: number }>(app, `/api/v1/workspaces/${ws1}/projects/${project.id}/tasks`);
  assert.equal(gone.status, 400);
  assert.equal(gone.body.code, 501);
});

test('unknown routes → 404 code 3000; a wrong method → 405 code 3000 with Allow', async () => {
  const r = await simGet(app, `/api/v1/workspaces/${ws1}/nothing-here`);
  assert.equal(r.status, 404);
  assert.deepEqual(r.body, { message: `No static resource api/v1/workspaces/${ws1}/nothing-here.`, code: 3000 });
  const m = await simGet(app, `/api/v1/workspaces/${ws1}/clients`, keys.owner, { method: 'DELETE' });
  assert.equal(m.status, 405);
  assert.deepEqual(m.body, { message: "Request method 'DELETE' is not supported", code: 3000 });
  assert.equal(m.headers.get('allow'), 'GET');
  const root = await simGet(app, '/nope', null);
  assert.equal(root.status, 404);
  assert.equal((root.body as { code: number }).code, 3000);
});

test('a regular member sees only their own time entries and no rates', async () => {
  const other = await simGet<{ message: string; code: number }>(app, `/api/v1/workspaces/${ws1}/user/${ownerId}/time-entries`, keys.member);
  assert.equal(other.status, 403);
  assert.deepEqual(other.body, { message: 'Access Denied', code: 403 });
  const own = await simGet<{ userId: string; hourlyRate: unknown; costRate: unknown }[]>(app, `/api/v1/workspaces/${ws1}/user/${memberId}/time-entries`, keys.member);
  assert.equal(own.status, 200);
  assert.ok(own.body.length > 0, 'member has entries');
  assert.ok(own.body.every((e) => e.userId === memberId && e.hourlyRate === null && e.costRate === null), 'own entries without rates');
  const asAdmin = await simGet<{ hourlyRate: unknown }[]>(app, `/api/v1/workspaces/${ws1}/user/${memberId}/time-entries`, keys.admin);
  assert.ok(asAdmin.body.some((e) => e.hourlyRate !== null), 'admins see rates');
  const running = await simGet<{ userId: string }[]>(app, `/api/v1/workspaces/${ws1}/time-entries/status/in-progress?page-size=1000`, keys.member);
  assert.ok(running.body.every((e) => e.userId === memberId), 'in-progress limited to own entries');
  const feed = await simGet(app, `/api/v1/workspaces/${ws1}/entities/updated?type=TIME_ENTRY`, keys.member);
  assert.equal(feed.status, 403);
});

test('a regular member sees public projects and their own projects only; workspace memberships only their own', async () => {
  const all = await simGet<{ id: string }[]>(app, `/api/v1/workspaces/${ws1}/projects?page-size=5000`, keys.owner);
  const mine = await simGet<{ id: string; memberships: { hourlyRate: unknown }[] }[]>(app, `/api/v1/workspaces/${ws1}/projects?page-size=5000`, keys.member);
  const expected = sim.store.projects(ws1).filter((p) => p.public || p.memberships.some((m) => m.userId === memberId)).map((p) => p.id).sort();
  assert.deepEqual(mine.body.map((p) => p.id).sort(), expected);
  assert.ok(mine.body.length <= all.body.length, 'subset');
  assert.ok(mine.body.every((p) => p.memberships.every((m) => m.hourlyRate === null)), 'member sees no membership rates');
  const ws = await simGet<{ memberships: { userId: string }[] }>(app, `/api/v1/workspaces/${ws1}`, keys.member);
  assert.deepEqual(ws.body.memberships.map((m) => m.userId), [memberId]);
});

test('inactive members are refused their workspace', async () => {
  sim.updateEntity('users', memberId, { status: 'INACTIVE' }, ws2);
  const r = await simGet(app, `/api/v1/workspaces/${ws2}/tags`, keys.member);
  assert.equal(r.status, 400);
  sim.updateEntity('users', memberId, { status: 'ACTIVE' }, ws2);
  assert.equal((await simGet(app, `/api/v1/workspaces/${ws2}/tags`, keys.member)).status, 200);
});
