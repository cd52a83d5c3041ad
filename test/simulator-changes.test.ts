import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator } from '../src/simulator/sim-app.ts';
import { simGet } from '../src/simulator/sim-testing.ts';

const NOW = '2026-11-23T12:00:00Z';
type Row = Record<string, any>;

function setup(deletionFeedDelayMs = 0) {
  const s = createSimulator({ seed: 9, workspaces: 1, users: 8, projects: 6, entries: 300, now: NOW, deletionFeedDelayMs });
  const ws = s.sim.store.workspaces()[0].id;
  const owner = s.sim.resolveKey('api-key', s.sim.keys.owner)!.userId;
  const feed = async (kind: string, query = 'type=TIME_ENTRY') => {
    const r = await simGet<Row[]>(s.app, `/api/v1/workspaces/${ws}/entities/${kind}?${query}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('last-page'), null, 'no Last-Page on the feed');
    return r.body;
  };
  return { ...s, ws, owner, feed };
}

test('the seeded dataset is not in the feed; a new entry is in /created only, even after updates', async () => {
  const { sim, ws, owner, feed } = setup();
  assert.deepEqual(await feed('created'), []);
  const e = sim.addTimeEntry({ workspaceId: ws, userId: owner, start: '2026-11-23T08:00:00Z', end: '2026-11-23T09:00:00Z' });
  sim.setClock({ advance: 'PT5M' });
  sim.updateTimeEntry(e.id, { description: 'changed' });
  const created = await feed('created');
  assert.deepEqual(created.map((x) => x.id), [e.id]);
  assert.equal(created[0].description, 'changed', 'current state');
  assert.equal(created[0].documentType, 'TIME_ENTRY');
  assert.equal(created[0].auditMetadata.createdAt, NOW);
  assert.equal(created[0].auditMetadata.updatedAt, '2026-11-23T12:05:00Z');
  assert.deepEqual(await feed('updated'), [], 'created and updated in the window: only /created');
});

test('an updated seeded entry appears once in /updated; a deleted one in /deleted with its document', async () => {
  const { sim, ws, owner, feed } = setup();
  const [a, b] = [...sim.store.userTimeEntries(ws, owner)].filter((e) => e.end !== null);
  sim.updateTimeEntry(a.id, { description: 'first' });
  sim.setClock({ advance: 'PT1M' });
  sim.updateTimeEntry(a.id, { description: 'second' });
  const updated = await feed('updated');
  assert.deepEqual(updated.map((x) => x.id), [a.id]);
  assert.equal(updated[0].description, 'second');
  assert.equal(updated[0].documentCode, 'TIME_ENTRY');
  sim.deleteTimeEntry(b.id);
  const deleted = await feed('deleted');
  assert.equal(deleted.length, 1);
  assert.equal(deleted[0].id, b.id);
  assert.equal(deleted[0].documentType, 'TIME_ENTRY');
  assert.equal(deleted[0].document._id, b.id);
  assert.match(deleted[0].deletionBinId, /^[0-9a-f]{24}$/);
  assert.ok(!Number.isNaN(Date.parse(deleted[0].deletedAt)), 'deletedAt is a date');
  assert.deepEqual(await feed('created'), []);
});

test('created and deleted inside the window: absent from /deleted and /created', async () => {
  const { sim, ws, owner, feed } = setup();
  const e = sim.addTimeEntry({ workspaceId: ws, userId: owner, start: '2026-11-23T08:00:00Z', end: '2026-11-23T09:00:00Z' });
  sim.deleteTimeEntry(e.id);
  assert.deepEqual(await feed('deleted'), []);
  assert.deepEqual(await feed('created'), []);
  // With a window that starts after the creation, the deletion shows.
  sim.setClock({ advance: 'PT1H' });
  const e2 = sim.addTimeEntry({ workspaceId: ws, userId: owner, start: '2026-11-23T08:00:00Z', end: '2026-11-23T09:00:00Z' });
  sim.setClock({ advance: 'PT1H' });
  sim.deleteTimeEntry(e2.id);
  const later = await feed('deleted', 'type=TIME_ENTRY&start=2026-11-23T13:30:00Z&end=2026-11-23T15:00:00Z');
  assert.deepEqual(later.map((x) => x.id), [e2.id]);
});

test('default window is the last 30 days; start alone means start + 30 days', async () => {
  const { sim, ws, owner, feed } = setup();
  const e = sim.addTimeEntry({ workspaceId: ws, userId: owner, start: '2026-11-23T08:00:00Z', end: '2026-11-23T09:00:00Z' });
  sim.setClock({ advance: 'P29D' });
  assert.equal((await feed('created')).length, 1);
  sim.setClock({ advance: 'P2D' });
  assert.deepEqual(await feed('created'), [], 'older than 30 days');
  assert.deepEqual((await feed('created', 'type=TIME_ENTRY&start=2026-11-20T00:00:00Z')).map((x) => x.id), [e.id]);
  assert.deepEqual(await feed('created', 'type=TIME_ENTRY&start=2026-10-01T00:00:00Z'), [], 'start + 30 days ends before the change');
  assert.deepEqual((await feed('created', 'type=TIME_ENTRY&end=2026-11-24T00:00:00Z')).map((x) => x.id), [e.id]);
});

test('types filter (repeatable), entity kinds, page and limit', async () => {
  const { app, sim, ws, owner, feed } = setup();
  const tag = sim.addEntity('tags', ws, { name: 'feed-tag' }) as Row;
  const client = sim.addEntity('clients', ws, { name: 'feed-client' }) as Row;
  const entries = [0, 1, 2, 3, 4].map((i) => sim.addTimeEntry({ workspaceId: ws, userId: owner, start: `2026-11-2${i}T08:00:00Z`, end: `2026-11-2${i}T09:00:00Z` }));
  assert.deepEqual((await feed('created', 'type=TAGS')).map((x) => x.id), [tag.id]);
  const two = await feed('created', 'type=TAGS&type=CLIENTS');
  assert.deepEqual(two.map((x) => x.id), [tag.id, client.id]);
  assert.equal(two[1].documentType, 'CLIENTS');
  assert.deepEqual((await feed('created', 'type=TAGS,CLIENTS')).length, 2);
  const p1 = await feed('created', 'type=TIME_ENTRY&limit=2&page=1');
  const p2 = await feed('created', 'type=TIME_ENTRY&limit=2&page=2');
  const p3 = await feed('created', 'type=TIME_ENTRY&limit=2&page=3');
  assert.deepEqual([...p1, ...p2, ...p3].map((x) => x.id), entries.map((e) => e.id));
  const missing = await simGet<Row>(app, `/api/v1/workspaces/${ws}/entities/created`);
  assert.equal(missing.status, 400);
  assert.equal(missing.body.code, 3000);
  const bad = await simGet<Row>(app, `/api/v1/workspaces/${ws}/entities/created?type=WIDGETS`);
  assert.equal(bad.status, 400);
});

test('deletions appear only after the configured feed delay', async () => {
  const { sim, ws, owner, feed } = setup(60_000);
  const e = [...sim.store.userTimeEntries(ws, owner)][3];
  sim.deleteTimeEntry(e.id);
  assert.deepEqual(await feed('deleted'), []);
  sim.setClock({ advance: 'PT61S' });
  assert.deepEqual((await feed('deleted')).map((x) => x.id), [e.id]);
});

test('archiving a project is an update; deleting it records its tasks too', async () => {
  const { sim, ws, feed } = setup();
  const project = sim.store.projects(ws).find((p) => sim.store.tasks(ws, p.id).length > 0)!;
  sim.updateEntity('projects', project.id, { archived: true });
  const updated = await feed('updated', 'type=PROJECTS');
  assert.deepEqual(updated.map((x) => x.id), [project.id]);
  assert.equal(updated[0].archived, true);
  sim.deleteEntity('projects', project.id);
  const deleted = await feed('deleted', 'type=PROJECTS&type=TASKS');
  assert.equal(deleted.filter((d) => d.documentType === 'PROJECTS').length, 1);
  assert.equal(deleted.filter((d) => d.documentType === 'TASKS').length, sim.store.changes().filter((c) => c.entityType === 'TASKS').length);
  assert.deepEqual(await feed('updated', 'type=PROJECTS'), [], 'deleted entities leave /updated');
});
